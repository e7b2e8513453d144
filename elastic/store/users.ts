// Users in the `users` index (id = user id), with their two unique keys, the email (compared
// case-insensitively) and the status page slug, kept unique without transactions by claim
// documents in the meta index: `email:<trimmed lower-cased email>` and `slug:<slug>`, whose
// `value` is the user id. A claim is created with op_type create, so of two racing requests
// exactly one gets it (the other sees 409): the claim decides who owns the key, and lookups by
// email or slug go claim → user by realtime GETs (they read their own writes, no refresh).
//
// Write order, chosen so that a crash between two writes never blocks a key for good:
// - createUser writes the user document first, then claims the email. A crash in between leaves
//   a user document nobody knows the id of (harmless); the claim never names a missing user. On
//   conflict the unclaimed user document is deleted again.
// - setStatusPage claims the new slug, updates the user (slug, title and description, conditional
//   on the version it read), then releases the old slug's claim. A crash can leave a claim whose user does not carry the
//   slug: such a claim is dangling, indistinguishable from a request still in flight, so it is
//   taken over (conditional on its version) only once it is older than CLAIM_GRACE_MS.
// A claim whose user no longer exists, or no longer has that email, is dangling at once.
//
// A password change and a logout rewrite the user document conditionally on the version read
// (retried on a 409), bumping token_generation with the new hash in the same write. Documents
// written before token_generation existed read as generation 0, before the status page's title
// and description existed as none set.

import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, type UserStore } from '../../store/contract.ts';
import { newUserRecord } from '../../store/new-user.ts';
import type { User } from '../../store/types.ts';
import { type EsContext, isConflict } from './context.ts';
import { backoffMs } from './monitors.ts';
import { getDoc } from './documents.ts';

/** Longer than any request may run (client timeout 30 s), so a claim this old is not in flight. */
export const CLAIM_GRACE_MS = 120_000;
const ATTEMPTS = 5;

/** A uniqueness claim in the meta index: `key` is its document id, `value` the owning user id. */
type Claim = { key: string; value: string; updated_at: number };

export const emailClaimId = (email: string): string => `email:${email.trim().toLowerCase()}`;
export const slugClaimId = (slug: string): string => `slug:${slug}`;

export function createUserStore(ctx: EsContext): UserStore {
  const { client, names } = ctx;

  const readUser = async (id: string) => {
    const doc = await getDoc<StoredUser>(ctx, names.users, id);
    return doc && { ...doc, source: withDefaults(doc.source) };
  };
  const getUser = async (id: string) => (await readUser(id))?.source ?? null;

  /** Rewrites user `id` as `change` makes it, conditional on the version read; null when missing. */
  const updateUser = async (id: string, change: (user: User) => User): Promise<User | null> => {
    for (let attempt = 1; ; attempt += 1) {
      const current = await readUser(id);
      if (!current) return null;
      const next = change(current.source);
      try {
        await client.index({
          index: names.users,
          id,
          document: next,
          if_seq_no: current.seq_no,
          if_primary_term: current.primary_term,
        });
        return next;
      } catch (error) {
        if (!isConflict(error)) throw error;
        if (attempt >= ATTEMPTS) throw new Error(`user ${id} kept changing; gave up after ${attempt} attempts`);
        await sleep(backoffMs(attempt));
      }
    }
  };

  /** The user named by claim `id`, when that user still owns the key as `owns` judges it. */
  const claimHolder = async (id: string, owns: (user: User) => boolean) => {
    const claim = await getDoc<Claim>(ctx, names.meta, id);
    const user = claim ? await getUser(claim.source.value) : null;
    return user && owns(user) ? user : null;
  };

  /**
   * Takes claim `id` for `value`. true when it is now ours (created, or ours already: an earlier
   * attempt, or a write the client retried after a lost response); false when a live holder has
   * it. A dangling claim (`isLive` says no) is taken over, conditional on the version read.
   */
  const claim = async (id: string, value: string, isLive: (claim: Claim) => Promise<boolean>) => {
    const document: Claim = { key: id, value, updated_at: ctx.clock() };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        await client.create({ index: names.meta, id, document });
        return true;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const current = await getDoc<Claim>(ctx, names.meta, id);
      if (!current) continue; // released since: try again
      if (current.source.value === value) return true;
      if (await isLive(current.source)) return false;
      try {
        await client.index({
          index: names.meta,
          id,
          document,
          if_seq_no: current.seq_no,
          if_primary_term: current.primary_term,
        });
        return true;
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Another request took it over or released it first: look again.
      }
      await sleep(backoffMs(attempt));
    }
    throw new Error(`claim ${id} kept changing under concurrent requests; gave up after ${ATTEMPTS} attempts`);
  };

  /** Deletes claim `id` if `value` still holds it (never another user's claim). */
  const release = async (id: string, value: string) => {
    const current = await getDoc<Claim>(ctx, names.meta, id);
    if (!current || current.source.value !== value) return;
    // 404/409: released or taken over meanwhile, which is what we wanted.
    await client.delete(
      { index: names.meta, id, if_seq_no: current.seq_no, if_primary_term: current.primary_term },
      { ignore: [404, 409] },
    );
  };

  return {
    async createUser(input) {
      const user = newUserRecord(input, ctx.clock());
      const id = emailClaimId(user.email);
      await client.index({ index: names.users, id: user.id, document: user });
      const claimed = await claim(id, user.id, async (held) => {
        const holder = await getUser(held.value);
        return holder !== null && emailClaimId(holder.email) === id;
      });
      if (claimed) return user;
      await client.delete({ index: names.users, id: user.id }, { ignore: [404] });
      throw new ConflictError(`email ${user.email} is already registered`);
    },

    getUser,

    async getUserByEmail(email) {
      const id = emailClaimId(email);
      return claimHolder(id, (user) => emailClaimId(user.email) === id);
    },

    async setStatusPage(userId, page) {
      const slug = page?.slug ?? null;
      for (let attempt = 1; ; attempt += 1) {
        const current = await readUser(userId);
        if (!current) return null;
        const old = current.source.status_slug;
        const next: User = { ...current.source, status_slug: slug, status_title: page?.title ?? null, status_description: page?.description ?? null };
        if (sameStatusPage(current.source, next)) return current.source;
        // The claim is kept while the slug stays: a title or description change needs none.
        if (slug !== null && slug !== old && !(await claim(slugClaimId(slug), userId, (held) => slugHolderIsLive(held, slug)))) {
          throw new ConflictError(`status page slug ${slug} is taken`);
        }
        try {
          await client.index({
            index: names.users,
            id: userId,
            document: next,
            if_seq_no: current.seq_no,
            if_primary_term: current.primary_term,
          });
        } catch (error) {
          if (!isConflict(error)) throw error;
          // The same user changed concurrently: read again. The claim stays ours meanwhile.
          if (attempt >= ATTEMPTS) throw new Error(`status slug of user ${userId} kept changing; gave up after ${attempt} attempts`);
          await sleep(backoffMs(attempt));
          continue;
        }
        if (old !== null && old !== slug) await release(slugClaimId(old), userId);
        return next;
      }
    },

    async getUserByStatusSlug(slug) {
      return claimHolder(slugClaimId(slug), (user) => user.status_slug === slug);
    },

    updatePassword(userId, passwordHash) {
      return updateUser(userId, (user) => ({ ...user, password_hash: passwordHash, token_generation: user.token_generation + 1 }));
    },

    bumpTokenGeneration(userId) {
      return updateUser(userId, (user) => ({ ...user, token_generation: user.token_generation + 1 }));
    },
  };

  async function slugHolderIsLive(held: Claim, slug: string): Promise<boolean> {
    const holder = await getUser(held.value);
    if (!holder) return false;
    if (holder.status_slug === slug) return true;
    // Claimed but not (yet) carried: a request in flight, or one that crashed before its update.
    return ctx.clock() - held.updated_at < CLAIM_GRACE_MS;
  }
}

const sameStatusPage = (a: User, b: User): boolean =>
  a.status_slug === b.status_slug && a.status_title === b.status_title && a.status_description === b.status_description;

/** A stored user as the current type: documents from before a field existed lack it. */
type StoredUser = Omit<User, 'token_generation' | 'status_title' | 'status_description'> &
  Partial<Pick<User, 'token_generation' | 'status_title' | 'status_description'>>;

function withDefaults(stored: StoredUser): User {
  return {
    ...stored,
    status_title: stored.status_title ?? null,
    status_description: stored.status_description ?? null,
    token_generation: stored.token_generation ?? 0,
  };
}
