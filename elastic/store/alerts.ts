// Alert state with compare-and-set, incidents and the evaluator's cursor (store/contract.ts
// AlertStore). One document per monitor in the alert-state index (id = monitor id): the state's
// fields, `version` (our counter, what callers compare), `effects` (the incident and deliveries
// of the change that wrote it, kept in _source only) and `effects_applied`.
//
// There are no multi-document transactions, so a change is one conditional document write that
// carries its effects; materialising them (effects.ts) comes after, and is finished by whoever
// reads the state next if the writer died in between: getAlertState and every compare-and-set
// first materialise pending effects, then mark them applied with a write guarded by the
// document's sequence number (losing that race means another writer moved on, having done it).
//
//   compare-and-set  realtime GET → (finish pending effects) → version check →
//                    create (no state yet) or index if_seq_no/if_primary_term → effects → mark
//   any 409 of the state write: another writer won; nothing of this change was written.

import { type AlertEffects, type AlertStore, CasConflictError } from '../../store/contract.ts';
import type { AlertState } from '../../store/types.ts';
import { type EsContext, isConflict, isNotFound } from './context.ts';
import { hasEffects, materialiseEffects, pick } from './effects.ts';
import { getIncident, listIncidents, listOpenIncidents } from './incidents.ts';
import { getDoc } from './documents.ts';

type StateDocument = AlertState & { version: number; effects: AlertEffects; effects_applied: boolean };
type Loaded = { doc: StateDocument; seqNo: number; primaryTerm: number };

const STATE_FIELDS: Record<keyof AlertState, true> = {
  monitor_id: true,
  status: true,
  streak_status: true,
  streak_count: true,
  streak_started_at: true,
  streak_check_id: true,
  streak_error_type: true,
  streak_error_message: true,
  streak_status_code: true,
  last_check_at: true,
  open_incident_id: true,
  told_incident_id: true,
  last_notified_at: true,
  cert_sha256: true,
  cert_told_days: true,
  updated_at: true,
};

const CURSOR_KEY = 'evaluator-cursor';
/** Rounds of "finish the pending effects, then re-read" before giving up (each needs a racing writer). */
const MAX_SETTLE_ROUNDS = 10;

export function createAlertStore(ctx: EsContext): AlertStore {
  const index = ctx.names['alert-state'];

  async function load(monitorId: string): Promise<Loaded | null> {
    const doc = await getDoc<StateDocument>(ctx, index, monitorId);
    return doc && { doc: doc.source, seqNo: doc.seq_no, primaryTerm: doc.primary_term };
  }

  /** Marks the effects of the loaded change applied: the new sequence number, or null when the document changed meanwhile. */
  async function markApplied(monitorId: string, seqNo: number, primaryTerm: number): Promise<number | null> {
    try {
      const response = await ctx.client.update({
        index,
        id: monitorId,
        if_seq_no: seqNo,
        if_primary_term: primaryTerm,
        doc: { effects_applied: true },
      });
      return response._seq_no ?? null;
    } catch (error) {
      // Moved on (another writer, or a reader that marked it first) or deleted with its monitor.
      if (isConflict(error) || isNotFound(error)) return null;
      throw error;
    }
  }

  /** The stored state with the effects of its change materialised (the document as it is then). */
  async function settled(monitorId: string): Promise<Loaded | null> {
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round += 1) {
      const current = await load(monitorId);
      if (!current || current.doc.effects_applied) return current;
      await materialiseEffects(ctx, current.doc.effects ?? {}, current.doc.version);
      const seqNo = await markApplied(monitorId, current.seqNo, current.primaryTerm);
      if (seqNo !== null) return { doc: { ...current.doc, effects_applied: true }, seqNo, primaryTerm: current.primaryTerm };
      // The document changed under us: read it again.
    }
    throw new Error(`alert state of monitor ${monitorId} kept changing while its pending effects were applied`);
  }

  return {
    async getAlertState(monitorId) {
      const current = await settled(monitorId);
      if (!current) return null;
      const state = pick<AlertState>(STATE_FIELDS, current.doc);
      // Written before told_incident_id existed, when every change was told at once.
      if (current.doc.told_incident_id === undefined) state.told_incident_id = state.open_incident_id;
      return { state, version: current.doc.version };
    },

    async compareAndSetAlertState(monitorId, expectedVersion, next, effects) {
      const current = await settled(monitorId);
      const stored = current ? current.doc.version : null;
      if (stored !== expectedVersion) {
        throw new CasConflictError(
          `alert state of monitor ${monitorId} is at version ${stored ?? 'none'}, not ${expectedVersion ?? 'none'}`,
        );
      }
      const version = (stored ?? 0) + 1;
      const pending = hasEffects(effects);
      const document: StateDocument = {
        ...pick(STATE_FIELDS, next),
        monitor_id: monitorId,
        version,
        effects: pending ? { ...effects } : {},
        effects_applied: !pending,
      };
      let written: { _seq_no?: number; _primary_term?: number };
      try {
        written = current
          ? await ctx.client.index({ index, id: monitorId, document, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm })
          : await ctx.client.create({ index, id: monitorId, document });
      } catch (error) {
        if (isConflict(error)) {
          throw new CasConflictError(`alert state of monitor ${monitorId} changed since version ${expectedVersion ?? 'none'}`);
        }
        throw error;
      }
      if (pending) {
        await materialiseEffects(ctx, effects, version);
        if (written._seq_no !== undefined && written._primary_term !== undefined) {
          await markApplied(monitorId, written._seq_no, written._primary_term);
        }
      }
      return version;
    },

    listIncidents: (ownerId, monitorId, range) => listIncidents(ctx, ownerId, monitorId, range),

    getIncident: (ownerId, monitorId, incidentId) => getIncident(ctx, ownerId, monitorId, incidentId),

    listOpenIncidents: (ownerId) => listOpenIncidents(ctx, ownerId),

    async getEvaluatorCursor() {
      const doc = await getDoc<{ value?: string | null }>(ctx, ctx.names.meta, CURSOR_KEY);
      return doc?.source.value ?? null;
    },

    async setEvaluatorCursor(cursor) {
      await ctx.client.index({
        index: ctx.names.meta,
        id: CURSOR_KEY,
        document: { key: CURSOR_KEY, value: cursor, updated_at: ctx.clock() },
      });
    },
  };
}
