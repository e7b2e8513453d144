import type { MonitorSummary } from '../types.ts';
import type { Db } from './db.ts';
export function summary(_db: Db, _o: string, _now: number): MonitorSummary[] {
  throw new Error('summary: not implemented yet');
}
