import type { ConformanceOptions } from './harness.ts';
export function summaryCases(_options: ConformanceOptions): void {}
