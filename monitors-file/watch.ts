// Keeps the store in line with MONITORS_FILE: applies it at start (a bad file stops start-up), then
// again on SIGHUP and whenever the file changes. Its directory is watched rather than the file,
// because editors save by writing a new file and renaming it over the old one, which ends a watch
// on the old file; events are debounced, since one save is several events. Applies run one at a
// time; one asked for meanwhile runs once after. A refused file is logged with its problems and
// changes nothing; a store failure is retried with a backoff until an apply succeeds.
//
//   const running = await startMonitorsFile({ store, file, options, log });
//   …
//   await running.stop();

import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { applyMonitorsFile, type ApplyDeps, type ApplyResult } from './apply.ts';
import { MonitorsFileError } from './parse.ts';

const DEBOUNCE_MS = 300;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export type MonitorsFileDeps = ApplyDeps & { log: Logger; debounceMs?: number };

export async function startMonitorsFile(deps: MonitorsFileDeps): Promise<{ stop(): Promise<void> }> {
  const { file, log } = deps;
  logResult(log, file, await applyMonitorsFile(deps), 'start');

  let stopped = false;
  let running: Promise<void> | null = null;
  let again: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const run = async (reason: string): Promise<void> => {
    try {
      logResult(log, file, await applyMonitorsFile(deps), reason);
      failures = 0;
    } catch (error) {
      if (error instanceof MonitorsFileError) {
        log.error({ file, problems: error.problems }, `${error.message}\nwhat runs is unchanged`);
        return;
      }
      failures += 1;
      const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
      log.error({ err: error, file, retry_in_ms: delay }, 'applying MONITORS_FILE failed; retrying');
      schedule('retry', delay);
    }
  };

  const request = (reason: string) => {
    if (stopped) return;
    if (running) {
      again = reason;
      return;
    }
    running = run(reason).finally(() => {
      running = null;
      const next = again;
      again = null;
      if (next) request(next);
    });
  };

  const schedule = (reason: string, delay = deps.debounceMs ?? DEBOUNCE_MS) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => request(reason), delay);
  };

  const name = basename(file);
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    // Some platforms do not say which file changed: then it may be ours.
    if (changed === null || changed === name) schedule('file change');
  });
  watcher.on('error', (error) => log.error({ err: error, file }, 'watching MONITORS_FILE failed; SIGHUP still applies it'));
  const onHangup = () => request('SIGHUP');
  process.on('SIGHUP', onHangup);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      watcher.close();
      process.off('SIGHUP', onHangup);
      await running;
    },
  };
}

function logResult(log: Logger, file: string, result: ApplyResult, reason: string): void {
  const changed = [result.monitors, result.contacts, result.windows].some((counts) => Object.values(counts).some((n) => n > 0));
  if (changed) log.info({ file, reason, ...result }, 'MONITORS_FILE applied');
  else log.debug({ file, reason }, 'MONITORS_FILE applied: nothing to change');
}
