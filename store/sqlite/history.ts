import type { History } from '../types.ts';
import type { HistoryQuery } from '../contract.ts';
import type { Db } from './db.ts';
export function history(_db: Db, _o: string, _m: string, _q: HistoryQuery): History | null {
  throw new Error('history: not implemented yet');
}
