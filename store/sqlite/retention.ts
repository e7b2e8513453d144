import type { Db } from './db.ts';
export async function purgeChecksBefore(_db: Db, _before: number): Promise<void> {
  throw new Error('purgeChecksBefore: not implemented yet');
}
