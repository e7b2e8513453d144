// MONITORS_FILE in a real process (`node main.ts`): applied at start, again on SIGHUP and when an
// editor saves the file (written aside and renamed over it); a bad file is logged with file, line
// and field and changes nothing; a bad file at start stops start-up.

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.ts';
import { eventually } from './support/api-client.ts';
import { scenarioBackends, type OpenedBackend } from './support/backends.ts';
import { runProductExpectingFailure, startProduct, type RunningProduct } from './support/product.ts';

/** Each wait below is bounded by 60 s; the test by their sum. */
const SLOW = 240_000;

const monitorsFile = (names: string[], interval = 60) =>
  `owner: alice@example.com\nmonitors:\n${names.map((n) => `  - name: ${n}\n    url: https://${n.toLowerCase()}.example.com/\n    interval_seconds: ${interval}\n    paused: true\n`).join('')}`;

describe.each(scenarioBackends())('MONITORS_FILE in a running product on $name', (backend) => {
  let storage: OpenedBackend;
  let product: RunningProduct;
  let store: Store;
  let ownerId: string;
  let file: string;
  const env = () => ({ ...storage.env, JWT_SECRET: 'monitors-file-scenario-secret-'.repeat(2), MONITORS_FILE: file });
  const names = async () => (await store.listMonitors(ownerId)).map((m) => m.name);
  const appliedFor = (reason: string) => product.logs.filter((entry) => entry.msg === 'MONITORS_FILE applied' && entry.reason === reason).length;
  /** As editors save: a new file renamed over the old one. */
  const save = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };

  beforeAll(async () => {
    storage = await backend.open();
    store = storage.store;
    ownerId = (await store.createUser({ email: 'alice@example.com', password_hash: 'x' })).id;
    file = join(storage.env.DATA_DIR!, 'monitors.yaml');
    writeFileSync(file, monitorsFile(['Shop']));
    product = await startProduct(env(), ['--role', 'api']);
  });

  afterAll(async () => {
    await product?.stop();
    await storage?.close();
  });

  it('applies the file at start, on a save and on SIGHUP; a bad save changes nothing', async () => {
    expect(await names()).toEqual(['Shop']);

    save(monitorsFile(['Shop', 'Blog']));
    await eventually(async () => isEqual(await names(), ['Shop', 'Blog']), 60_000, 'the saved file to be applied');
    // The log line follows the last write of the apply: wait for it too.
    await eventually(async () => appliedFor('file change') > 0, 60_000, 'the apply to be logged');
    expect(appliedFor('file change')).toBe(1);

    // Deleted behind the file's back: SIGHUP puts it back without the file changing.
    const blog = (await store.listMonitors(ownerId)).find((m) => m.name === 'Blog')!;
    await store.deleteMonitor(ownerId, blog.id);
    product.process.kill('SIGHUP');
    await eventually(async () => isEqual(await names(), ['Shop', 'Blog']), 60_000, 'SIGHUP to apply the file');
    await eventually(async () => appliedFor('SIGHUP') > 0, 60_000, 'the apply to be logged');
    expect(appliedFor('SIGHUP')).toBe(1);

    const before = await store.listMonitors(ownerId);
    save(monitorsFile(['Shop', 'Blog', 'Wiki'], 5));
    const refused = await eventually(
      async () => product.logs.find((entry) => typeof entry.msg === 'string' && entry.msg.includes('refused, nothing applied')),
      60_000,
      'the bad file to be refused',
    );
    expect(refused.msg).toContain(`${file}:5: monitors.0.interval_seconds: must be at least 20 seconds`);
    expect(await store.listMonitors(ownerId)).toEqual(before);
    expect(product.process.exitCode).toBeNull();
  }, SLOW);

  it('refuses to start on a bad file, naming file, line and field', async () => {
    const bad = join(storage.env.DATA_DIR!, 'bad.yaml');
    writeFileSync(bad, 'owner: alice@example.com\nmonitors:\n  - name: Shop\n    url: https://shop.example.com/\n    colour: blue\n');
    const result = await runProductExpectingFailure({ ...env(), MONITORS_FILE: bad });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:5: monitors.0.colour: unknown field`);
  }, SLOW);
});

function isEqual(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
