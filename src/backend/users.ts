import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Demo accounts of the catalogue. The credentials are public on purpose (documented in the
 * login page and the README): the application exists to be protected, not to protect anything.
 */
export const DEMO_USERS: ReadonlyArray<{ user: string; password: string; name: string }> = Object.freeze([
  { user: 'reader', password: 'reader', name: 'Demo Reader' },
  { user: 'librarian', password: 'librarian', name: 'Demo Librarian' },
]);

export interface UserDirectory {
  /** Returns the display name when the credentials are right. */
  verify(user: string, password: string): string | undefined;
  displayName(user: string): string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createUserDirectory(users = DEMO_USERS): UserDirectory {
  const byUser = new Map(users.map((u) => [u.user, { hash: digest(u.password), name: u.name }]));
  const dummy = digest('');
  return {
    verify(user, password) {
      const entry = byUser.get(user);
      // Compare even for unknown users so both failures take the same path.
      const ok = timingSafeEqual(entry?.hash ?? dummy, digest(password));
      return entry && ok ? entry.name : undefined;
    },
    displayName: (user) => byUser.get(user)?.name ?? user,
  };
}
