import { describe, expect, it } from 'vitest';
import { iso } from './iso-time.ts';

describe('iso', () => {
  it('writes what Date#toISOString writes, across minutes, years and signs', () => {
    const times = [0, -1, 59_999, 60_000, 1_796_147_139_666, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(10_000, 0, 1), -62_198_755_200_001, 8.64e15, -8.64e15];
    for (let i = 0; i < 2_000; i++) times.push(Math.round((Math.random() - 0.3) * 4e12));
    for (let i = 0; i < 200; i++) times.push(1_796_147_139_666 + i * 997); // many of one minute
    for (const ms of times) expect(iso(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('refuses what Date refuses', () => {
    for (const bad of [Number.NaN, 8.64e15 + 1, Infinity]) expect(() => iso(bad)).toThrow(RangeError);
  });

  it('keeps the fraction as Date does for a time that is not a whole millisecond', () => {
    expect(iso(1.5)).toBe(new Date(1.5).toISOString());
  });
});
