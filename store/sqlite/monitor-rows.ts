// Reading and writing a monitor's rows: the monitors table plus its two child tables (headers,
// in the order given, and tags), so that no handler ever parses a blob.

import { HTTP_METHODS, type Monitor, type MonitorInput } from '../types.ts';
import { type Db, type Row, int, oneOf, text, textOrNull } from './db.ts';

/** Every column a caller sets at creation, in the order of the VALUES list. */
export const INSERT_COLUMNS = `id, owner_id, name, url, method, interval_seconds, timeout_ms, expect_status,
  keyword, confirm_failures, confirm_recoveries, remind_every_minutes, paused, timezone, public, managed_by_file, created_at, updated_at`;
export const MONITOR_COLUMNS = `mkey, ${INSERT_COLUMNS}`;

/** Column values in the order of INSERT_COLUMNS after id and owner_id. */
export function settableValues(input: MonitorInput): Array<string | number | null> {
  return [
    input.name,
    input.url,
    input.method,
    input.interval_seconds,
    input.timeout_ms,
    input.expect_status,
    input.keyword,
    input.confirm_failures,
    input.confirm_recoveries,
    input.remind_every_minutes,
    input.paused ? 1 : 0,
    input.timezone,
    input.public ? 1 : 0,
    input.managed_by_file ? 1 : 0,
  ];
}

export function writeChildren(db: Db, mkey: number, input: Pick<MonitorInput, 'headers' | 'tags'>): void {
  db.sql('DELETE FROM monitor_headers WHERE mkey = ?').run(mkey);
  db.sql('DELETE FROM monitor_tags WHERE mkey = ?').run(mkey);
  const header = db.sql('INSERT INTO monitor_headers (mkey, position, name, value) VALUES (?, ?, ?, ?)');
  Object.entries(input.headers).forEach(([name, value], position) => header.run(mkey, position, name, value));
  const tag = db.sql('INSERT INTO monitor_tags (mkey, position, tag) VALUES (?, ?, ?)');
  input.tags.forEach((value, position) => tag.run(mkey, position, value));
}

/** Builds monitors from their rows, loading every child row in one query per child table. */
export function toMonitors(db: Db, rows: Row[]): Monitor[] {
  if (rows.length === 0) return [];
  const keys = rows.map((row) => int(row, 'mkey'));
  // The keys travel as one JSON array parameter: no limit on the number of placeholders.
  const keyList = JSON.stringify(keys);
  const headers = new Map<number, Record<string, string>>();
  const headerRows = db
    .sql('SELECT mkey, name, value FROM monitor_headers WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .all(keyList);
  for (const row of headerRows) {
    const mkey = int(row, 'mkey');
    const record = headers.get(mkey) ?? {};
    record[text(row, 'name')] = text(row, 'value');
    headers.set(mkey, record);
  }
  const tags = new Map<number, string[]>();
  const tagRows = db
    .sql('SELECT mkey, tag FROM monitor_tags WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .all(keyList);
  for (const row of tagRows) {
    const mkey = int(row, 'mkey');
    tags.set(mkey, [...(tags.get(mkey) ?? []), text(row, 'tag')]);
  }
  return rows.map((row) => {
    const mkey = int(row, 'mkey');
    return {
      id: text(row, 'id'),
      owner_id: text(row, 'owner_id'),
      name: text(row, 'name'),
      url: text(row, 'url'),
      method: oneOf(row, 'method', HTTP_METHODS),
      interval_seconds: int(row, 'interval_seconds'),
      timeout_ms: int(row, 'timeout_ms'),
      expect_status: text(row, 'expect_status'),
      keyword: textOrNull(row, 'keyword'),
      headers: headers.get(mkey) ?? {},
      confirm_failures: int(row, 'confirm_failures'),
      confirm_recoveries: int(row, 'confirm_recoveries'),
      remind_every_minutes: int(row, 'remind_every_minutes'),
      paused: int(row, 'paused') === 1,
      tags: tags.get(mkey) ?? [],
      timezone: textOrNull(row, 'timezone'),
      public: int(row, 'public') === 1,
      managed_by_file: int(row, 'managed_by_file') === 1,
      created_at: int(row, 'created_at'),
      updated_at: int(row, 'updated_at'),
    };
  });
}
