// Elasticsearch-only behaviour of users, monitors and contacts that the conformance suite cannot
// express: uniqueness claims under racing requests and after a crash between two writes (a
// dangling claim), conditional monitor updates racing, and lists longer than one search page.
// Runs against the test node (ES_URL) on a fresh namespace per case, with only these modules.

import type { Client } from '@elastic/elasticsearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, type ContactStore, type MonitorStore, type UserStore } from '../../store/contract.ts';
import { monitorInput, slugOnly } from '../../store/testing/fixtures.ts';
import type { Monitor } from '../../store/types.ts';
import { detectEngine } from '../engine.ts';
import { installTemplates } from '../setup.ts';
import { indexNames } from '../templates/index.ts';
import { createContactStore } from './contacts.ts';
import { type EsContext, MAX_PAGE } from './context.ts';
import { createMonitorStore, INITIAL_CHANGE_TOKEN } from './monitors.ts';
import { dropNamespace, freshNamespace, newTestClient, testEsUrl } from './testing.ts';
import { CLAIM_GRACE_MS, createUserStore, emailClaimId, slugClaimId } from './users.ts';

const url = testEsUrl();

describe.skipIf(!url)('elasticsearch identity store', () => {
  let client: Client;
  let namespace: string;
  let ctx: EsContext;
  let users: UserStore;
  let monitors: MonitorStore;
  let contacts: ContactStore;

  beforeEach(async () => {
    client = newTestClient(url ?? '');
    namespace = freshNamespace();
    const engine = await detectEngine(client);
    await installTemplates(client, { namespace, retentionDays: 30, engine });
    ctx = { client, names: indexNames(namespace), engine, clock: Date.now };
    users = createUserStore(ctx);
    monitors = createMonitorStore(ctx);
    contacts = createContactStore(ctx);
  });

  afterEach(async () => {
    await dropNamespace(client, namespace);
    await client.close();
  });

  /** Writes a claim as a crashed request would have left it. */
  const writeClaim = async (id: string, value: string, updatedAt: number) => {
    await client.index({ index: ctx.names.meta, id, document: { key: id, value, updated_at: updatedAt } });
  };

  it('lets exactly one of several racing sign-ups with one email win, and leaves no loser behind', async () => {
    const variants = ['race@example.com', 'RACE@example.com', 'Race@Example.com', 'race@EXAMPLE.COM', ' race@example.com'];
    const results = await Promise.allSettled(variants.map((email, i) => users.createUser({ email, password_hash: `h${i}` })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.reason)).toEqual(lost.map(() => expect.any(ConflictError)));
    const winner = won[0]?.value;
    expect(await users.getUserByEmail('race@example.com')).toEqual(winner);
    await client.indices.refresh({ index: ctx.names.users });
    const stored = await client.count({ index: ctx.names.users });
    expect(stored.count).toBe(1);
  });

  it('takes over an email claim whose user does not exist', async () => {
    await writeClaim(emailClaimId('ghost@example.com'), 'no-such-user', Date.now());
    expect(await users.getUserByEmail('ghost@example.com')).toBeNull();
    const user = await users.createUser({ email: 'Ghost@example.com', password_hash: 'h' });
    expect(await users.getUserByEmail('ghost@example.com')).toEqual(user);
    await expect(users.createUser({ email: 'ghost@example.com', password_hash: 'h2' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('lets exactly one of two users racing for a slug win', async () => {
    const alice = await users.createUser({ email: 'alice@example.com', password_hash: 'h' });
    const bob = await users.createUser({ email: 'bob@example.com', password_hash: 'h' });
    const results = await Promise.allSettled([users.setStatusPage(alice.id, slugOnly('acme')), users.setStatusPage(bob.id, slugOnly('acme'))]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
    const owner = await users.getUserByStatusSlug('acme');
    expect(owner?.id).toBe(won[0]?.value?.id);
    const other = await users.getUser(owner?.id === alice.id ? bob.id : alice.id);
    expect(other?.status_slug).toBeNull();
  });

  it('honours a fresh slug claim left by a crash, and takes it over once older than the grace period', async () => {
    const alice = await users.createUser({ email: 'alice@example.com', password_hash: 'h' });
    const bob = await users.createUser({ email: 'bob@example.com', password_hash: 'h' });
    // Alice's request claimed the slug and stopped before updating her document.
    await writeClaim(slugClaimId('acme'), alice.id, Date.now());
    expect(await users.getUserByStatusSlug('acme')).toBeNull();
    await expect(users.setStatusPage(bob.id, slugOnly('acme'))).rejects.toBeInstanceOf(ConflictError);
    await writeClaim(slugClaimId('acme'), alice.id, Date.now() - CLAIM_GRACE_MS - 1);
    expect((await users.setStatusPage(bob.id, slugOnly('acme')))?.status_slug).toBe('acme');
    expect((await users.getUserByStatusSlug('acme'))?.id).toBe(bob.id);
  });

  it('moves a user from one slug to another, freeing the old one', async () => {
    const alice = await users.createUser({ email: 'alice@example.com', password_hash: 'h' });
    const bob = await users.createUser({ email: 'bob@example.com', password_hash: 'h' });
    await users.setStatusPage(alice.id, slugOnly('one'));
    expect((await users.setStatusPage(alice.id, slugOnly('two')))?.status_slug).toBe('two');
    expect(await users.getUserByStatusSlug('one')).toBeNull();
    expect((await users.setStatusPage(bob.id, slugOnly('one')))?.status_slug).toBe('one');
    expect((await users.getUserByStatusSlug('two'))?.id).toBe(alice.id);
  });

  it('applies every one of several racing updates of one monitor', async () => {
    const monitor = await monitors.createMonitor('owner', monitorInput());
    await Promise.all([
      monitors.updateMonitor('owner', monitor.id, { name: 'renamed' }),
      monitors.updateMonitor('owner', monitor.id, { url: 'https://other.example.com/' }),
      monitors.updateMonitor('owner', monitor.id, { keyword: 'ok' }),
      monitors.updateMonitor('owner', monitor.id, { paused: true }),
    ]);
    expect(await monitors.getMonitor('owner', monitor.id)).toMatchObject({
      name: 'renamed',
      url: 'https://other.example.com/',
      keyword: 'ok',
      paused: true,
    });
  });

  it('starts the change token at a constant and ignores writes that change nothing', async () => {
    expect(await monitors.monitorsChangeToken()).toBe(INITIAL_CHANGE_TOKEN);
    expect(await monitors.updateMonitor('owner', 'missing', { name: 'x' })).toBeNull();
    expect(await monitors.deleteMonitor('owner', 'missing')).toBe(false);
    expect(await monitors.monitorsChangeToken()).toBe(INITIAL_CHANGE_TOKEN);
  });

  it('reaches a contact only through its own live monitor', async () => {
    const first = await monitors.createMonitor('owner', monitorInput());
    const second = await monitors.createMonitor('owner', monitorInput());
    const contact = await contacts.addContact('owner', first.id, { type: 'email', address: 'ops@example.com' });
    expect(await contacts.deleteContact('owner', second.id, contact?.id ?? '')).toBe(false);
    expect(await contacts.listContacts('owner', second.id)).toEqual([]);
    // A crash right after the monitor's own delete leaves its contacts behind: they stay unreachable.
    await client.delete({ index: ctx.names.monitors, id: first.id, refresh: 'wait_for' });
    expect(await contacts.listContacts('owner', first.id)).toEqual([]);
    expect(await contacts.deleteContact('owner', first.id, contact?.id ?? '')).toBe(false);
    expect(await contacts.addContact('owner', first.id, { type: 'sms', address: '+15550000000' })).toBeNull();
  });

  it('lists every monitor when there are more than one search page of them', async () => {
    const count = MAX_PAGE + 5;
    const base = Date.UTC(2026, 0, 1);
    // Pairs share a creation time, so that the id tiebreak decides the order across pages.
    const docs: Monitor[] = Array.from({ length: count }, (_, i) => ({
      id: `m${String(i).padStart(6, '0')}`,
      owner_id: 'owner',
      ...monitorInput({ name: `monitor ${i}` }),
      created_at: base + Math.floor(i / 2),
      updated_at: base + Math.floor(i / 2),
    }));
    const operations = docs.flatMap((doc) => [{ index: { _index: ctx.names.monitors, _id: doc.id } }, doc]);
    const bulk = await client.bulk({ operations, refresh: true });
    expect(bulk.errors).toBe(false);
    const listed = await monitors.listMonitors('owner');
    expect(listed.map((m) => m.id)).toEqual(docs.map((m) => m.id));
    expect(await monitors.listAllMonitors()).toHaveLength(count);
  });

  it('reads a monitor document written before monitor types as an http monitor, and finds it by type', async () => {
    const T = Date.UTC(2026, 0, 1);
    const input = monitorInput({ name: 'old one' });
    // What template version 6 stored: none of the type fields.
    const { type: _type, body: _body, keyword_absent: _absent, json_assertions: _rules, max_response_ms: _max, dns: _dns, ...old } = input;
    await client.index({ index: ctx.names.monitors, id: 'm-old', document: { id: 'm-old', owner_id: 'owner', ...old, created_at: T, updated_at: T }, refresh: true });
    const expected: Monitor = { ...input, id: 'm-old', owner_id: 'owner', created_at: T, updated_at: T };
    expect(await monitors.getMonitor('owner', 'm-old')).toEqual(expected);
    expect(await monitors.listMonitors('owner')).toEqual([expected]);
    expect((await monitors.findMonitors('owner', { type: 'http', limit: 10 })).items).toEqual([expected]);
    expect((await monitors.findMonitors('owner', { type: 'tcp', limit: 10 })).items).toEqual([]);
    const patched = await monitors.updateMonitor('owner', 'm-old', { max_response_ms: 500 });
    expect(patched).toEqual({ ...expected, max_response_ms: 500, updated_at: patched!.updated_at });
  });
});
