import { describe, expect, it } from 'vitest';
import { engineFromInfo } from './engine.ts';

describe('engine detection from GET /', () => {
  it.each([
    ['8.19.2', undefined, 'elasticsearch', true],
    ['8.11.0', undefined, 'elasticsearch', true],
    ['8.10.4', undefined, 'elasticsearch', false],
    ['9.1.0', undefined, 'elasticsearch', true],
    ['2.19.6', 'opensearch', 'opensearch', false],
  ] as const)('%s (%s): %s, lifecycle %s', (number, distribution, expected, lifecycle) => {
    const engine = engineFromInfo({ version: { number, ...(distribution ? { distribution } : {}) } });
    expect(engine).toEqual({ distribution: expected, version: number, lifecycle });
  });
});
