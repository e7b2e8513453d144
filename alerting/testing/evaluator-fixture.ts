// Test support for the evaluator's tests: before each test a fresh World (real SQLite) on a clock
// the test moves by setting `now`, and an evaluator reading that clock.

import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../store/contract.ts';
import type { Delivery, Monitor } from '../../store/types.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { createEvaluator } from '../evaluator.ts';
import { createIncidentLookup } from '../lookups.ts';
import { createWorld, silentLog, type World } from './world.ts';

export type EvaluatorFixture = {
  readonly world: World;
  /** What the store and the evaluator read as the current time; reset to the start before each test. */
  now: number;
  readonly clock: () => number;
  evaluator(store?: Store, onEnqueued?: (d: readonly Delivery[]) => void): ReturnType<typeof createEvaluator>;
  /** A monitor with an email and an SMS contact. */
  monitorWithContacts(overrides?: Partial<Monitor>): Promise<Monitor>;
};

export function useEvaluatorFixture(start: number): EvaluatorFixture {
  let current: World | undefined;
  const fixture: EvaluatorFixture = {
    now: start,
    clock: () => fixture.now,
    get world() {
      if (!current) throw new Error('the world exists only inside a test');
      return current;
    },
    evaluator(store = fixture.world.store, onEnqueued) {
      return createEvaluator({ store, incidents: createIncidentLookup(store), log: silentLog, metrics: createMetrics(), clock: fixture.clock, onEnqueued });
    },
    async monitorWithContacts(overrides = {}) {
      const monitor = await fixture.world.addMonitor(overrides);
      await fixture.world.addContact(monitor, 'email', 'a@example.com');
      await fixture.world.addContact(monitor, 'sms', '+33612345678');
      return monitor;
    },
  };
  beforeEach(async () => {
    fixture.now = start;
    current = await createWorld({ clock: fixture.clock });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return fixture;
}
