import type { DashboardDeps } from '../deps.js';
import { HttpError, readJson, sendJson, type Route } from '../http/context.js';
import { formatIssues, loginBodySchema } from '../schemas.js';
import { checkLogin, createSession, deleteSession } from '../auth/accounts.js';

export const SESSION_COOKIE = 'dsid';

export function sessionCookie(d: DashboardDeps, value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${d.config.secureCookies ? '; Secure' : ''}`;
}

/** Login (rate limited per client address), logout and "who am I". */
export function authRoutes(d: DashboardDeps): Route[] {
  return [
    { method: 'POST', path: '/api/login', access: 'public', async handler({ req, res, clientIp }) {
      const wait = d.loginLimiter.hit(clientIp);
      if (wait > 0) {
        d.metrics.loginFailures.inc({ reason: 'rate_limited' });
        sendJson(res, 429, { error: 'too many login attempts, try again later' }, { 'retry-after': String(wait) });
        return;
      }
      const r = loginBodySchema.safeParse(await readJson(req, 16 * 1024));
      if (!r.success) throw new HttpError(400, 'invalid body', formatIssues(r.error));
      const user = await checkLogin(d.store.db, r.data.username, r.data.password);
      if (!user) {
        d.metrics.loginFailures.inc({ reason: 'bad_credentials' });
        throw new HttpError(401, 'wrong username or password');
      }
      d.loginLimiter.reset(clientIp);
      const token = await createSession(d.store.db, user.id, d.config.sessionTtlMs, d.clock.now());
      d.logger.info({ user: user.username }, 'operator logged in');
      sendJson(res, 200, { username: user.username, role: user.role },
        { 'set-cookie': sessionCookie(d, token, Math.floor(d.config.sessionTtlMs / 1000)) });
    } },
    { method: 'POST', path: '/api/logout', access: 'public', async handler({ res, sessionToken }) {
      if (sessionToken) await deleteSession(d.store.db, sessionToken);
      sendJson(res, 200, { status: 'ok' }, { 'set-cookie': sessionCookie(d, '', 0) });
    } },
    { method: 'GET', path: '/api/session', access: 'public', async handler({ res, principal }) {
      sendJson(res, 200, principal && principal.role !== 'ingest'
        ? { authenticated: true, username: principal.name, role: principal.role, kind: principal.kind } : { authenticated: false });
    } },
    { method: 'GET', path: '/api/me', access: 'viewer', async handler({ res, principal }) {
      sendJson(res, 200, { username: principal!.name, role: principal!.role, kind: principal!.kind });
    } },
  ];
}
