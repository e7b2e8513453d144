// What every part of the Elasticsearch store shares: the client, the index names of one
// namespace, the engine's capabilities, the clock, and the few error tests the parts need.
//
// Visibility rules the parts follow (DESIGN "store/"): search is near-real-time; only get by id
// reads its own writes. Writes a user reads right back (a monitor just created is listed) pass
// `refresh: 'wait_for'`; the checks write path never does.

import { type Client, errors } from '@elastic/elasticsearch';
import type { Engine } from '../engine.ts';
import type { IndexNames } from '../templates/index.ts';

export type EsContext = {
  client: Client;
  names: IndexNames;
  engine: Engine;
  clock: () => number;
};

export function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

/** A version conflict (if_seq_no lost, create on an existing id). */
export const isConflict = (error: unknown): boolean => statusOf(error) === 409;
export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

/** Largest page asked of a search; lists longer than this are read with search_after. */
export const MAX_PAGE = 10_000;
