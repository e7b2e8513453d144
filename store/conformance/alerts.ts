import type { ConformanceOptions } from './harness.ts';
export function alertCases(_options: ConformanceOptions): void {}
