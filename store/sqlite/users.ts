// Users: emails are unique case-insensitively (compared through email_key, the lower-cased
// email); the email is returned as it was given at sign-up. A password change and a logout bump
// token_generation in one UPDATE, which revokes every token issued before (api/auth/). The status
// page's slug (UNIQUE), title and description are written by one UPDATE.

import { newUserRecord } from '../new-user.ts';
import { ConflictError, type UserStore } from '../contract.ts';
import type { User } from '../types.ts';
import { type Db, type Row, int, isUniqueViolation, text, textOrNull } from './db.ts';

const COLUMNS = 'id, email, password_hash, status_slug, status_title, status_description, token_generation, created_at';

export function createUserStore(db: Db): UserStore {
  const byColumn = (column: 'id' | 'email_key' | 'status_slug', value: string): User | null => {
    const row = db.sql(`SELECT ${COLUMNS} FROM users WHERE ${column} = ?`).get(value);
    return row ? toUser(row) : null;
  };

  return {
    async createUser(input) {
      const user = newUserRecord(input, db.clock());
      const inserted = db
        .sql(
          `INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (email_key) DO NOTHING`,
        )
        .run(user.id, user.email, emailKey(user.email), user.password_hash, user.created_at);
      if (inserted.changes === 0) throw new ConflictError(`email ${user.email} is already registered`);
      return user;
    },

    async getUser(id) {
      return byColumn('id', id);
    },

    async getUserByEmail(email) {
      return byColumn('email_key', emailKey(email));
    },

    async setStatusPage(userId, page) {
      try {
        db.sql('UPDATE users SET status_slug = ?, status_title = ?, status_description = ? WHERE id = ?').run(
          page?.slug ?? null,
          page?.title ?? null,
          page?.description ?? null,
          userId,
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`status page slug ${page?.slug} is taken`);
        throw error;
      }
      return byColumn('id', userId);
    },

    async getUserByStatusSlug(slug) {
      return byColumn('status_slug', slug);
    },

    async updatePassword(userId, passwordHash) {
      const row = db
        .sql(`UPDATE users SET password_hash = ?, token_generation = token_generation + 1 WHERE id = ? RETURNING ${COLUMNS}`)
        .get(passwordHash, userId);
      return row ? toUser(row) : null;
    },

    async bumpTokenGeneration(userId) {
      const row = db.sql(`UPDATE users SET token_generation = token_generation + 1 WHERE id = ? RETURNING ${COLUMNS}`).get(userId);
      return row ? toUser(row) : null;
    },
  };
}

function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: Row): User {
  return {
    id: text(row, 'id'),
    email: text(row, 'email'),
    password_hash: text(row, 'password_hash'),
    status_slug: textOrNull(row, 'status_slug'),
    status_title: textOrNull(row, 'status_title'),
    status_description: textOrNull(row, 'status_description'),
    token_generation: int(row, 'token_generation'),
    created_at: int(row, 'created_at'),
  };
}
