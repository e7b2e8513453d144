import type { ConformanceOptions } from './harness.ts';
export function outboxCases(_options: ConformanceOptions): void {}
