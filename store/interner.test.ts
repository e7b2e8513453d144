import { describe, expect, it } from 'vitest';
import { createInterner } from './interner.ts';

describe('interner', () => {
  it('hands out one frozen list per equal list of numbers, and another for a different one', () => {
    const shared = createInterner();
    const first = shared.numbers([30, 14, 7]);
    const again = shared.numbers([30, 14, 7]);
    expect(again).toBe(first);
    expect(first).toEqual([30, 14, 7]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as number[]).push(1)).toThrow(TypeError);
    expect(shared.numbers([30, 14])).not.toBe(first);
    expect(shared.numbers([7, 14, 30])).not.toBe(first);
    expect(shared.numbers([])).toEqual([]);
  });

  it('never changes the list it was given, which stays the caller’s to change', () => {
    const shared = createInterner();
    const given = [1, 2];
    const kept = shared.numbers(given);
    given.push(3);
    expect(kept).toEqual([1, 2]);
    expect(shared.numbers([1, 2])).toBe(kept);
  });

  it('gives back an equal text', () => {
    const shared = createInterner();
    expect(shared.text('GET')).toBe('GET');
    expect(shared.text(['G', 'E', 'T'].join(''))).toBe('GET');
    expect(shared.text('HEAD')).toBe('HEAD');
  });
});
