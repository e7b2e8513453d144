// The cursor of a monitor's deliveries, newest first: base64url of {"c": created_at, "i": id},
// the last row of the page. Both backends page on (created_at desc, id desc), so one codec
// serves both; a string that does not decode to exactly that shape raises InvalidCursorError.

import { InvalidCursorError } from './contract.ts';

export type DeliveriesCursor = { createdAt: number; id: string };

export function encodeDeliveriesCursor(last: { created_at: number; id: string }): string {
  return Buffer.from(JSON.stringify({ c: last.created_at, i: last.id })).toString('base64url');
}

export function decodeDeliveriesCursor(cursor: string): DeliveriesCursor {
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
