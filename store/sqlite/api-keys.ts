// API keys of an owner, one row each (schema-v6.ts). Revoking deletes the row, so the next
// lookup by id, on any process sharing the file, finds nothing.

import type { ApiKeyStore } from '../contract.ts';
import { newId } from '../ids.ts';
import type { ApiKey } from '../types.ts';
import { type Db, type Row, int, intOrNull, text } from './db.ts';

const COLUMNS = 'id, owner_id, name, secret_hash, created_at, expires_at, last_used_at';

export function createApiKeyStore(db: Db): ApiKeyStore {
  return {
    async createApiKey(ownerId, { name, secret_hash, expires_at }) {
      const key: ApiKey = { id: newId(), owner_id: ownerId, name, secret_hash, created_at: db.clock(), expires_at, last_used_at: null };
      db.sql(`INSERT INTO api_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
        key.id,
        key.owner_id,
        key.name,
        key.secret_hash,
        key.created_at,
        key.expires_at,
        key.last_used_at,
      );
      return key;
    },

    async getApiKey(id) {
      const row = db.sql(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id);
      return row ? toApiKey(row) : null;
    },

    async listApiKeys(ownerId) {
      return db.sql(`SELECT ${COLUMNS} FROM api_keys WHERE owner_id = ? ORDER BY created_at, id`).all(ownerId).map(toApiKey);
    },

    async revokeApiKey(ownerId, id) {
      return db.sql('DELETE FROM api_keys WHERE id = ? AND owner_id = ?').run(id, ownerId).changes > 0;
    },

    async touchApiKey(id, at) {
      db.sql('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(at, id, at);
    },
  };
}

/** Deletes keys that expired before `before` (retention). */
export function purgeExpiredApiKeys(db: Db, before: number): void {
  db.sql('DELETE FROM api_keys WHERE expires_at IS NOT NULL AND expires_at < ?').run(before);
}

function toApiKey(row: Row): ApiKey {
  return {
    id: text(row, 'id'),
    owner_id: text(row, 'owner_id'),
    name: text(row, 'name'),
    secret_hash: text(row, 'secret_hash'),
    created_at: int(row, 'created_at'),
    expires_at: intOrNull(row, 'expires_at'),
    last_used_at: intOrNull(row, 'last_used_at'),
  };
}
