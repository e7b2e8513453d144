// What a check repeats from probe to probe (monitor name, type, url and method at probe time,
// observer, resolved IP, TLS version and certificate, a dns probe's question, response code and
// answers) is stored once in check_contexts (answers in check_context_answers); each
// check row carries the integer key. Rows are never deleted, so a key, once known, stays valid
// in every connection: each store keeps, per monitor, the signature and key of its previous
// check's context (nearly always the next one's too), and a small cache of signature → key for
// the rest; keys created inside a write transaction are kept only once it commits.
//
// Per monitor, only a digest of the signature is kept (the first 16 bytes of its SHA-256, which is
// also the context's key in check_contexts) with the context's row key, in typed arrays. Measured
// at 50,000 monitors in batches of 500 (2026-12-02): 8.8 MB kept against 13.9 MB for the signature
// texts and their objects, for 2-3 µs more per check (the hash). The bound is far above a fleet's
// size: a bound below it (20,000 until 2026-12) was cleared again and again, and every check then
// paid two queries.

import { hash } from 'node:crypto';
import type { Check } from '../types.ts';
import { type Db, int } from './db.ts';

/** Monitors whose previous context is kept (~180 bytes each, with the map's entry and id)... */
const MONITORS_KEPT = 200_000;
/** ...and other signatures: new monitors, a context that went back to an earlier one. */
const SIGNATURES_KEPT = 5_000;

export type ContextKeys = {
  /** Inside a write transaction: the key for this check's context, created if new. */
  keyFor(check: Check): number;
  /** After COMMIT: keys created in the transaction become cached. */
  commit(): void;
  /** After ROLLBACK: forget keys created in the transaction. */
  discard(): void;
};

type ContextValues = readonly [
  string,
  string,
  string,
  string | null,
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

export function createContextKeys(db: Db): ContextKeys {
  // Keyed by the digest in base64: the other signatures and those created in the transaction.
  const cache = new Map<string, number>();
  const pending = new Map<string, number>();
  const lastByMonitor = createLastContexts();

  const lookUp = (values: ContextValues, signature: Buffer, digestKey: string): number => {
    const known = cache.get(digestKey) ?? pending.get(digestKey);
    if (known !== undefined) return known;
    const [answersJson, ...columns] = values.slice().reverse();
    const inserted = db
      .sql(
        `INSERT INTO check_contexts (signature, monitor_name, monitor_type, url, method, observer, resolved_ip, tls_version,
           cert_not_after, cert_issuer, cert_sha256, dns_question_name, dns_question_type, dns_response_code)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (signature) DO NOTHING`,
      )
      .run(signature, ...columns.reverse());
    const row = db.sql('SELECT ctx FROM check_contexts WHERE signature = ?').get(signature);
    if (!row) throw new Error('check context vanished inside its own transaction');
    const key = int(row, 'ctx');
    if (inserted.changes > 0 && typeof answersJson === 'string') {
      const answer = db.sql('INSERT INTO check_context_answers (ctx, position, data) VALUES (?, ?, ?)');
      (JSON.parse(answersJson) as string[]).forEach((data, position) => answer.run(key, position, data));
    }
    pending.set(digestKey, key);
    return key;
  };

  return {
    keyFor(check) {
      const values: ContextValues = [
        check.monitor_name,
        check.monitor_type,
        check.url,
        check.method,
        check.observer,
        check.resolved_ip,
        check.tls_version,
        check.cert_not_after,
        check.cert_issuer,
        check.cert_sha256,
        check.dns?.question_name ?? null,
        check.dns?.question_type ?? null,
        check.dns?.response_code ?? null,
        // Last: part of the signature, written as rows of check_context_answers.
        check.dns ? JSON.stringify(check.dns.answers) : null,
      ];
      const signature = hash('sha256', JSON.stringify(values), 'buffer').subarray(0, SIGNATURE_BYTES);
      const last = lastByMonitor.keyIf(check.monitor_id, signature);
      if (last !== undefined) return last;
      const key = lookUp(values, signature, signature.toString('base64'));
      lastByMonitor.set(check.monitor_id, signature, key);
      return key;
    },
    commit() {
      if (cache.size + pending.size > SIGNATURES_KEPT) cache.clear();
      for (const [digestKey, key] of pending) cache.set(digestKey, key);
      pending.clear();
    },
    discard() {
      // Keys made in the rolled-back transaction may sit in lastByMonitor too.
      pending.clear();
      lastByMonitor.clear();
    },
  };
}

/** Bytes of the signature's SHA-256 that name a context (check_contexts.signature). */
const SIGNATURE_BYTES = 16;

/** Per monitor, the signature and row key of its previous check's context. */
function createLastContexts() {
  const slots = new Map<string, number>();
  let signatures = Buffer.alloc(1024 * SIGNATURE_BYTES);
  let keys = new Float64Array(1024);

  return {
    /** The previous context's key, if this signature is that context's. */
    keyIf(monitorId: string, signature: Buffer): number | undefined {
      const slot = slots.get(monitorId);
      if (slot === undefined) return undefined;
      const at = slot * SIGNATURE_BYTES;
      return signature.compare(signatures, at, at + SIGNATURE_BYTES) === 0 ? keys[slot] : undefined;
    },
    set(monitorId: string, signature: Buffer, key: number): void {
      let slot = slots.get(monitorId);
      if (slot === undefined) {
        if (slots.size >= MONITORS_KEPT) slots.clear();
        slot = slots.size;
        slots.set(monitorId, slot);
        if (slot >= keys.length) {
          signatures = Buffer.concat([signatures, Buffer.alloc(signatures.length)]);
          const grownKeys = new Float64Array(keys.length * 2);
          grownKeys.set(keys);
          keys = grownKeys;
        }
      }
      signature.copy(signatures, slot * SIGNATURE_BYTES);
      keys[slot] = key;
    },
    clear(): void {
      slots.clear();
    },
  };
}
