import type { ConformanceOptions } from './harness.ts';
export function retentionCases(_options: ConformanceOptions): void {}
