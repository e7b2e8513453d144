// What a check repeats from probe to probe (monitor name, type, url and method at probe time,
// observer, resolved IP, TLS version and certificate, a dns probe's question, response code and
// answers) is stored once in check_contexts (answers in check_context_answers); each
// check row carries the integer key. Rows are never deleted, so a key, once known, stays valid
// in every connection: each store keeps, per monitor, the signature and key of its previous
// check's context (nearly always the next one's too), and a small cache of signature → key for
// the rest; keys created inside a write transaction are kept only once it commits.
//
// Per monitor, the signature text is kept rather than its fields: one flat string (~150 bytes)
// instead of a tuple and the check's own copies of its strings, which at 50,000 monitors is
// ~25 MB less of the heap. The bound is far above a fleet's size: a bound below it (20,000
// until 2026-12) was cleared again and again, and every check then paid a hash and two queries.

import { createHash } from 'node:crypto';
import type { Check } from '../types.ts';
import { type Db, int } from './db.ts';

/** Monitors whose previous context is kept (~250 bytes each)... */
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
  const cache = new Map<string, number>();
  const pending = new Map<string, number>();
  const lastByMonitor = new Map<string, { signatureText: string; key: number }>();

  const lookUp = (values: ContextValues, signatureText: string): number => {
    const known = cache.get(signatureText) ?? pending.get(signatureText);
    if (known !== undefined) return known;
    const signature = createHash('sha256').update(signatureText).digest().subarray(0, 16);
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
    pending.set(signatureText, key);
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
      const signatureText = JSON.stringify(values);
      const last = lastByMonitor.get(check.monitor_id);
      if (last?.signatureText === signatureText) return last.key;
      const key = lookUp(values, signatureText);
      if (last) {
        last.signatureText = signatureText;
        last.key = key;
      } else {
        if (lastByMonitor.size >= MONITORS_KEPT) lastByMonitor.clear();
        lastByMonitor.set(check.monitor_id, { signatureText, key });
      }
      return key;
    },
    commit() {
      if (cache.size + pending.size > SIGNATURES_KEPT) cache.clear();
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
