import { describe, expect, it } from 'vitest';
import type { AlertState, Check } from '../store/types.ts';
import { certStep, FRESH_MS } from './cert-expiry.ts';
import { fold, initialState, type AlertRule } from './state-machine.ts';
import { ruleCheck } from './testing/rule-checks.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 12);
const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);
const RULE: AlertRule = { confirm_failures: 2, confirm_recoveries: 1, remind_every_minutes: 0, paused: false, tls_expiry_days: [14, 7, 1] };

function check(daysLeft: number | null, sha256: string | null = OLD, extra: Partial<Check> = {}): Check {
  const timestamp = extra.timestamp ?? NOW;
  return ruleCheck(timestamp, 'up', {
    id: `c${timestamp}`,
    tls_version: 'TLSv1.3',
    cert_not_after: daysLeft === null ? null : timestamp + daysLeft * DAY,
    cert_issuer: daysLeft === null ? null : 'Test CA',
    cert_sha256: daysLeft === null ? null : sha256,
    ...extra,
  });
}

const state = (told: { sha256: string; days: number } | null = null): AlertState => ({
  ...initialState('m1', 0),
  status: 'up',
  cert_sha256: told?.sha256 ?? null,
  cert_told_days: told?.days ?? null,
});

describe('certificate expiry rule', () => {
  it.each([
    { rule: 'more days left than every threshold: nothing', from: state(), days: 30, told: null },
    { rule: 'a first-seen certificate with 13.5 days left is told for 14', from: state(), days: 13.5, told: 14 },
    { rule: 'exactly 14 days left has not crossed 14', from: state(), days: 14, told: null },
    { rule: 'first seen with 3 days left: one message, for the most urgent crossed (7)', from: state(), days: 3, told: 7 },
    { rule: 'a threshold told is not told again', from: state({ sha256: OLD, days: 7 }), days: 6, told: null },
    { rule: 'a less urgent threshold than the one told is never told', from: state({ sha256: OLD, days: 7 }), days: 10, told: null },
    { rule: 'crossing a more urgent one later tells again', from: state({ sha256: OLD, days: 7 }), days: 0.5, told: 1 },
    { rule: 'an expired certificate counts as crossing every threshold', from: state({ sha256: OLD, days: 7 }), days: -2, told: 1 },
    { rule: 'after the most urgent one nothing more is told', from: state({ sha256: OLD, days: 1 }), days: -5, told: null },
    { rule: 'a renewed certificate starts over', from: state({ sha256: OLD, days: 1 }), days: 13, sha256: NEW, told: 14 },
    { rule: 'a renewed certificate with plenty left tells nothing', from: state({ sha256: OLD, days: 1 }), days: 89, sha256: NEW, told: null },
    { rule: 'thresholds [] are off', from: state(), days: 0.5, thresholds: [], told: null },
    { rule: 'custom thresholds: the most urgent crossed', from: state(), days: 20, thresholds: [60, 30, 21], told: 21 },
    { rule: 'a paused monitor is told nothing', from: state(), days: 3, paused: true, told: null },
    { rule: 'a check without a certificate changes nothing', from: state({ sha256: OLD, days: 7 }), days: null, told: null },
  ])('$rule', ({ from, days, sha256, thresholds, paused, told }) => {
    const rule = { ...RULE, tls_expiry_days: thresholds ?? RULE.tls_expiry_days, paused: paused ?? false };
    const result = certStep(from, check(days, sha256), rule, NOW);
    if (told === null) {
      expect(result.transition).toBeUndefined();
      expect(result.state).toBe(from);
    } else {
      expect(result.transition).toMatchObject({ kind: 'cert', threshold_days: told, sha256: sha256 ?? OLD, issuer: 'Test CA' });
      expect(result.state).toMatchObject({ cert_sha256: sha256 ?? OLD, cert_told_days: told });
    }
  });

  it('does not tell from a stale check (a backlog read late); the next fresh one tells', () => {
    const stale = check(3, OLD, { timestamp: NOW - FRESH_MS - 1 });
    expect(certStep(state(), stale, RULE, NOW).transition).toBeUndefined();
    expect(certStep(state(), check(3), RULE, NOW).transition).toMatchObject({ threshold_days: 7 });
  });

  it('thresholds are crossed once over a certificate’s life, checked every hour', () => {
    const notAfter = NOW + 20 * DAY;
    let current = state();
    const told: number[] = [];
    for (let at = NOW; at < notAfter + 2 * DAY; at += 3_600_000) {
      const result = fold(current, [check(null, OLD, { timestamp: at, id: `c${at}`, cert_sha256: OLD, cert_not_after: notAfter, cert_issuer: 'Test CA' })], RULE, at);
      current = result.state;
      told.push(...result.segments.flatMap((s) => (s.transition.kind === 'cert' ? [s.transition.threshold_days] : [])));
    }
    expect(told).toEqual([14, 7, 1]);
  });
});

describe('fold with certificates', () => {
  it('asks only the newest check of a batch, after the status transitions, with the final state', () => {
    const down = (at: number) => check(3, OLD, { timestamp: at, id: `d${at}`, status: 'down', error_type: 'status', status_code: 503 });
    const start = state();
    const result = fold(start, [down(NOW - 120_000), down(NOW - 60_000), check(30, NEW, { timestamp: NOW - 180_000, id: 'early' })], RULE, NOW);
    expect(result.segments.map((s) => s.transition.kind)).toEqual(['down', 'cert']);
    const last = result.segments.at(-1)!;
    expect(last.state).toBe(result.state);
    expect(result.state).toMatchObject({ status: 'down', cert_sha256: OLD, cert_told_days: 7 });
  });

  it('re-folding the same batch (a lost compare-and-set) tells nothing again', () => {
    const first = fold(state(), [check(3)], RULE, NOW);
    expect(first.segments).toHaveLength(1);
    expect(fold(first.state, [check(3)], RULE, NOW).segments).toEqual([]);
  });

  it('a rule without tls_expiry_days (older callers) tells nothing', () => {
    const { tls_expiry_days: _, ...noCertRule } = RULE;
    expect(fold(state(), [check(0.5)], noCertRule, NOW).segments).toEqual([]);
  });
});
