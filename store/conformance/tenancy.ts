import type { ConformanceOptions } from './harness.ts';
export function tenancyCases(_options: ConformanceOptions): void {}
