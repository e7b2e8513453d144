// The cursor of a list paged on (created_at, id) — deliveries newest first, monitors oldest
// first: base64url of {"c": created_at, "i": id} of the last row of the page. Both backends page
// on those two fields, so one codec serves both; a string that does not decode to exactly that
// shape raises InvalidCursorError.

import { InvalidCursorError } from './contract.ts';

export type PageCursor = { createdAt: number; id: string };

export function encodePageCursor(last: { created_at: number; id: string }): string {
  return Buffer.from(JSON.stringify({ c: last.created_at, i: last.id })).toString('base64url');
}

export function decodePageCursor(cursor: string): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    value = null;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'c' in value &&
    'i' in value &&
    Number.isSafeInteger(value.c) &&
    typeof value.i === 'string' &&
    value.i !== ''
  ) {
    return { createdAt: Number(value.c), id: value.i };
  }
  throw new InvalidCursorError(`cursor ${JSON.stringify(cursor.slice(0, 100))} was not issued by this store`);
}
