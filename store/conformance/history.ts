import type { ConformanceOptions } from './harness.ts';
export function historyCases(_options: ConformanceOptions): void {}
