import { describe, expect, it } from 'vitest';
import { timeSlices } from './time-slices.ts';

describe('timeSlices', () => {
  it('lets the event loop run once a slice has used its time, and not before', async () => {
    let clock = 0;
    const slice = timeSlices(10, () => clock);
    let ran = false;
    setImmediate(() => (ran = true));
    await slice();
    expect(ran).toBe(false);
    clock = 10;
    await slice();
    expect(ran).toBe(true);
    ran = false;
    setImmediate(() => (ran = true));
    clock = 15; // a new slice began at 10
    await slice();
    expect(ran).toBe(false);
  });
});
