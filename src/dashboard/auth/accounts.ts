import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { hashPassword, newSecret, tokenHash, verifyPassword } from './password.js';

export type Role = 'viewer' | 'admin';
export interface Principal { kind: 'user' | 'token' | 'ingest'; name: string; role: Role | 'ingest' }

export interface EnsureAdminResult {
  /** The admin user was created now. */
  created: boolean;
  /** The password generated for it (no password configured). */
  generatedPassword?: string;
  /** An existing admin user's password was set to the configured one (its sessions ended). */
  passwordReset?: boolean;
}

/**
 * Creates the admin user when no user exists (with the configured password, or a generated one
 * that is returned). When a password is configured and users exist, the admin user's password is
 * set to it (the user is created as admin when missing), so that setting the configured password
 * always gives access back: nobody is locked out for having lost a generated password. Its
 * sessions end when the password changes; a password already equal to the configured one is left alone.
 */
export async function ensureAdmin(db: Kysely<Database>, username: string, password: string | undefined, now: number): Promise<EnsureAdminResult> {
  const any = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) {
    if (!password) return { created: false };
    const user = await db.selectFrom('users').select(['id', 'password_hash', 'role']).where('username', '=', username).executeTakeFirst();
    if (!user) {
      await db.insertInto('users').values({ username, password_hash: await hashPassword(password), role: 'admin', created_at: now })
        .onConflict((oc) => oc.column('username').doNothing()).execute();
      return { created: true };
    }
    if (user.role === 'admin' && await verifyPassword(password, user.password_hash)) return { created: false };
    const hash = await hashPassword(password);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash, role: 'admin' }).where('id', '=', user.id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    });
    return { created: false, passwordReset: true };
  }
  const pw = password ?? newSecret().slice(0, 20);
  await db.insertInto('users').values({ username, password_hash: await hashPassword(pw), role: 'admin', created_at: now })
    .onConflict((oc) => oc.column('username').doNothing()).execute();
  return password ? { created: true } : { created: true, generatedPassword: pw };
}

/** Adds an operator; false when the username is taken (nothing changes then). */
export async function createUser(db: Kysely<Database>, username: string, password: string, role: Role, now: number): Promise<boolean> {
  const r = await db.insertInto('users').values({ username, password_hash: await hashPassword(password), role, created_at: now })
    .onConflict((oc) => oc.column('username').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Operators without their password hashes. */
export async function listUsers(db: Kysely<Database>): Promise<{ username: string; role: Role; created_at: string }[]> {
  const rows = await db.selectFrom('users').select(['username', 'role', 'created_at']).orderBy('username').execute();
  return rows.map((u) => ({ username: u.username, role: u.role as Role, created_at: new Date(Number(u.created_at)).toISOString() }));
}

/** Checks a username and password; returns the user or null. Runs the KDF even for unknown users. */
export async function checkLogin(db: Kysely<Database>, username: string, password: string) {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  return user && ok ? { id: Number(user.id), username: user.username, role: user.role as Role } : null;
}
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function createSession(db: Kysely<Database>, userId: number, ttlMs: number, now: number): Promise<string> {
  const token = newSecret();
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: userId, created_at: now, expires_at: now + ttlMs }).execute();
  return token;
}

export async function sessionPrincipal(db: Kysely<Database>, token: string, now: number): Promise<Principal | null> {
  const row = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.username', 'users.role', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', tokenHash(token)).executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return null;
  return { kind: 'user', name: row.username, role: row.role as Role };
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}

export async function createApiToken(db: Kysely<Database>, name: string, role: Role, now: number): Promise<string> {
  const token = `dst_${newSecret()}`;
  await db.insertInto('api_tokens').values({ name, token_hash: tokenHash(token), role, created_at: now }).execute();
  return token;
}

export async function apiTokenPrincipal(db: Kysely<Database>, token: string): Promise<Principal | null> {
  const row = await db.selectFrom('api_tokens').select(['name', 'role']).where('token_hash', '=', tokenHash(token)).executeTakeFirst();
  return row ? { kind: 'token', name: `token:${row.name}`, role: row.role as Role } : null;
}
