// What a check repeats from probe to probe (monitor name, url and method at probe time,
// observer, resolved IP, TLS version and certificate) is stored once in check_contexts; each
// check row carries the integer key. Rows are never deleted, so a key, once known, stays valid
// in every connection: each store keeps a bounded in-memory cache of signature → key, and keys
// created inside a write transaction join the cache only once it commits.

import { createHash } from 'node:crypto';
import type { Check } from '../types.ts';
import { type Db, int } from './db.ts';

const CACHE_LIMIT = 20_000;

export type ContextKeys = {
  /** Inside a write transaction: the key for this check's context, created if new. */
  keyFor(check: Check): number;
  /** After COMMIT: keys created in the transaction become cached. */
  commit(): void;
  /** After ROLLBACK: forget keys created in the transaction. */
  discard(): void;
};

type ContextValues = readonly [string, string, string, string, string | null, string | null, number | null, string | null];

export function createContextKeys(db: Db): ContextKeys {
  const cache = new Map<string, number>();
  const pending = new Map<string, number>();
  // Per monitor, the context of its previous check: nearly always the same as the next one, and
  // comparing eight fields is much cheaper than building a signature.
  const lastByMonitor = new Map<string, { values: ContextValues; key: number }>();

  const lookUp = (values: ContextValues): number => {
    const signatureText = JSON.stringify(values);
    const known = cache.get(signatureText) ?? pending.get(signatureText);
    if (known !== undefined) return known;
    const signature = createHash('sha256').update(signatureText).digest().subarray(0, 16);
    db.sql(
      `INSERT INTO check_contexts (signature, monitor_name, url, method, observer, resolved_ip, tls_version,
         cert_not_after, cert_issuer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (signature) DO NOTHING`,
    ).run(signature, ...values);
    const row = db.sql('SELECT ctx FROM check_contexts WHERE signature = ?').get(signature);
    if (!row) throw new Error('check context vanished inside its own transaction');
    const key = int(row, 'ctx');
    pending.set(signatureText, key);
    return key;
  };

  return {
    keyFor(check) {
      const values: ContextValues = [
        check.monitor_name,
        check.url,
        check.method,
        check.observer,
        check.resolved_ip,
        check.tls_version,
        check.cert_not_after,
        check.cert_issuer,
      ];
      const last = lastByMonitor.get(check.monitor_id);
      if (last && values.every((value, i) => value === last.values[i])) return last.key;
      const key = lookUp(values);
      if (lastByMonitor.size > CACHE_LIMIT) lastByMonitor.clear();
      lastByMonitor.set(check.monitor_id, { values, key });
      return key;
    },
    commit() {
      if (cache.size + pending.size > CACHE_LIMIT) cache.clear();
      for (const [signature, key] of pending) cache.set(signature, key);
      pending.clear();
    },
    discard() {
      // Keys made in the rolled-back transaction may sit in lastByMonitor too.
      pending.clear();
      lastByMonitor.clear();
    },
  };
}
