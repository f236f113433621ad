import type { Clock } from '../core/clock.js';
import { BOOK_SORTS, type BookSort, type Catalogue, type ListOptions } from './catalogue.js';
import { sendJson, sendJsonError } from './http.js';
import { MAX_QUERY_LENGTH } from './pages.js';
import type { Handler } from './router.js';
import type { SessionStore } from './sessions.js';

export const API_DEFAULT_LIMIT = 20;
export const API_MAX_LIMIT = 100;
const NON_NEGATIVE_INT_RE = /^(0|[1-9][0-9]{0,8})$/;

export interface ApiDeps {
  appName: string;
  clock: Clock;
  startedAt: number;
  catalogue: Catalogue;
  sessions: SessionStore;
}

export interface Api {
  books: Handler;
  book: Handler;
  stats: Handler;
  health: Handler;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates /api/books query parameters; every problem is reported at once. */
export function parseListQuery(params: URLSearchParams): Parsed<ListOptions> {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    if (!NON_NEGATIVE_INT_RE.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(raw);
  };
  const limit = int('limit', API_DEFAULT_LIMIT, 1, API_MAX_LIMIT);
  const offset = int('offset', 0, 0, 1_000_000);
  const q = params.get('q') ?? undefined;
  if (q !== undefined && q.length > MAX_QUERY_LENGTH) problems.push(`q must be at most ${MAX_QUERY_LENGTH} characters`);
  const sort = params.get('sort') ?? 'id';
  if (!(BOOK_SORTS as readonly string[]).includes(sort)) problems.push(`sort must be one of ${BOOK_SORTS.join(', ')}`);
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return { ok: true, value: { limit, offset, q, sort: sort as BookSort } };
}

export function createApi(deps: ApiDeps): Api {
  const { appName, clock, startedAt, catalogue, sessions } = deps;
  return {
    books(ctx) {
      const parsed = parseListQuery(ctx.url.searchParams);
      if (!parsed.ok) return sendJsonError(ctx.res, 400, 'bad_request', parsed.message);
      const { total, items } = catalogue.list(parsed.value);
      sendJson(ctx.res, 200, { total, limit: parsed.value.limit, offset: parsed.value.offset, items });
    },
    book(ctx) {
      const raw = ctx.params.id ?? '';
      const book = NON_NEGATIVE_INT_RE.test(raw) ? catalogue.get(Number(raw)) : undefined;
      if (!book) return sendJsonError(ctx.res, 404, 'not_found', `no book with id ${JSON.stringify(raw.slice(0, 40))}`);
      sendJson(ctx.res, 200, book);
    },
    stats(ctx) {
      sendJson(ctx.res, 200, { ...catalogue.stats(), sessions: sessions.size });
    },
    health(ctx) {
      sendJson(ctx.res, 200, {
        status: 'healthy',
        name: appName,
        uptime_seconds: Math.max(0, Math.round((clock.now() - startedAt) / 1000)),
        books: catalogue.size,
        sessions: sessions.size,
      }, { 'cache-control': 'no-store' });
    },
  };
}
