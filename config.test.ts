// Configuration parsing: the spool bound (the other variables are covered by the start-up tests
// in test/ through `node main.ts`).

import { describe, expect, it } from 'vitest';
import { DEFAULT_SPOOL_MAX_BYTES } from './collector/config.ts';
import { ConfigError, loadConfig } from './config.ts';

describe('SPOOL_MAX_BYTES', () => {
  it.each([
    ['1048576', 1024 ** 2],
    ['512MiB', 512 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['1TiB', 1024 ** 4],
  ])('reads %s as %d bytes', (value, bytes) => {
    expect(loadConfig({ SPOOL_MAX_BYTES: value }).SPOOL_MAX_BYTES).toBe(bytes);
  });

  it('defaults to 1 GiB', () => {
    expect(loadConfig({}).SPOOL_MAX_BYTES).toBe(DEFAULT_SPOOL_MAX_BYTES);
    expect(DEFAULT_SPOOL_MAX_BYTES).toBe(1024 ** 3);
  });

  it.each([
    ['2GB', 'invalid SPOOL_MAX_BYTES="2GB": expected a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB (e.g. 2GiB)'],
    ['1.5GiB', 'invalid SPOOL_MAX_BYTES="1.5GiB": expected a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB (e.g. 2GiB)'],
    ['1000', 'invalid SPOOL_MAX_BYTES="1000": expected at least 1MiB'],
  ])('refuses %s with one line naming it', (value, line) => {
    expect(() => loadConfig({ SPOOL_MAX_BYTES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SPOOL_MAX_BYTES: value })).toThrow(line);
  });
});
