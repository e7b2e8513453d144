// The maintenance windows the collector marks checks with (`monitor.maintenance: true`), read
// again every `everyMs` in the background so that a probe never waits on the store for them;
// `onChange` hands a list that differs from the last one to the probe lanes (probe-lane.ts). A
// failed read keeps the last list (logged): a store outage must not stop probing, and a window
// marks checks a few seconds late at worst. Alerting decides from the windows themselves
// (alerting/evaluator.ts), not from this mark.

import type { Logger } from 'pino';
import { inMaintenance } from '../store/maintenance-schedule.ts';
import type { MaintenanceStore } from '../store/contract.ts';
import type { MaintenanceWindow } from '../store/maintenance.ts';
import type { Monitor } from '../store/types.ts';

export type MaintenanceWindows = {
  /** True when one of the monitor's windows covers `instant`, as of the last read. */
  covers(monitor: Monitor, instant: number): boolean;
  stop(): void;
};

export function watchMaintenanceWindows(
  store: Pick<MaintenanceStore, 'listAllMaintenanceWindows'>,
  opts: { everyMs: number; log: Logger; onChange?: (windows: MaintenanceWindow[]) => void },
): MaintenanceWindows {
  let windows: MaintenanceWindow[] = [];
  let last = '[]';
  let failing = false;
  const read = async () => {
    try {
      windows = await store.listAllMaintenanceWindows();
      const text = JSON.stringify(windows);
      if (text !== last) opts.onChange?.(windows);
      last = text;
      if (failing) opts.log.info('maintenance windows read again');
      failing = false;
    } catch (error) {
      if (!failing) opts.log.warn({ err: error }, 'reading maintenance windows failed; keeping the last list');
      failing = true;
    }
  };
  void read();
  const timer = setInterval(() => void read(), opts.everyMs);
  timer.unref();
  return {
    covers: (monitor, instant) => inMaintenance(windows, monitor, instant),
    stop: () => clearInterval(timer),
  };
}
