import type { Clock } from '../core/clock.js';
import type { Book, Catalogue } from './catalogue.js';
import { html, layout, type Html, type LayoutOptions } from './html.js';
import { drainBody, readBody, redirect, sendHtml, type Headers } from './http.js';
import type { BackendMetrics } from './metrics.js';
import type { Handler, RequestContext } from './router.js';
import type { SessionStore } from './sessions.js';
import { DEMO_USERS, type UserDirectory } from './users.js';

export const PAGE_SIZE = 20;
export const FEATURED_COUNT = 8;
export const MAX_QUERY_LENGTH = 100;
export const MAX_SEARCH_RESULTS = 50;
export const LOGIN_BODY_LIMIT = 64 * 1024; // 64 KiB
export const MAX_CREDENTIAL_LENGTH = 256;
export const SESSION_COOKIE = 'sid';

const POSITIVE_INT_RE = /^[1-9][0-9]{0,8}$/;
const FORM_TYPE_RE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

export interface PageDeps {
  appName: string;
  clock: Clock;
  catalogue: Catalogue;
  sessions: SessionStore;
  users: UserDirectory;
  metrics: BackendMetrics;
}

export interface Pages {
  home: Handler;
  books: Handler;
  book: Handler;
  search: Handler;
  loginForm: Handler;
  login: Handler;
  logout: Handler;
  account: Handler;
  /** Plain HTML status pages, for the app's own 404/405/4xx/500 answers. */
  status(ctx: Pick<RequestContext, 'res' | 'session'>, status: number, title: string, message: string, headers?: Headers): void;
}

/** A same-site path to go back to after login; anything else falls back to /account. */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/account';
  return value.length > 512 ? '/account' : value;
}

function bookCard(b: Book): Html {
  return html`<li class="card"><a href="/books/${b.id}"><img src="/static/covers/${b.id}.svg" alt="" width="200" height="300" loading="lazy"><span class="title">${b.title}</span></a><span class="author">${b.author}</span></li>`;
}

function bookRows(books: readonly Book[]): Html {
  return html`<table class="books"><thead><tr><th>Title</th><th>Author</th><th>Genre</th><th>Year</th></tr></thead><tbody>${books.map(
    (b) => html`<tr><td><a href="/books/${b.id}">${b.title}</a></td><td>${b.author}</td><td>${b.genre}</td><td>${b.year}</td></tr>`,
  )}</tbody></table>`;
}

function loginForm(next: string, error?: string, user = ''): Html {
  return html`<h1>Log in</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form class="login" action="/login" method="post">
<label>User name <input name="username" autocomplete="username" required maxlength="${MAX_CREDENTIAL_LENGTH}" value="${user}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="${MAX_CREDENTIAL_LENGTH}"></label>
<input type="hidden" name="next" value="${next}">
<button type="submit">Log in</button>
</form>
<p class="muted">Demo accounts: ${DEMO_USERS.map((u, i) => html`${i > 0 ? ', ' : ''}<code>${u.user}</code> / <code>${u.password}</code>`)}.</p>`;
}

export function createPages(deps: PageDeps): Pages {
  const { appName, clock, catalogue, sessions, users, metrics } = deps;

  function page(ctx: Pick<RequestContext, 'res' | 'session'>, status: number, opts: Omit<LayoutOptions, 'appName' | 'user'>, body: Html, headers: Headers = {}): void {
    const session = ctx.session();
    const extra: Headers = session ? { 'cache-control': 'private, no-store', ...headers } : headers;
    sendHtml(ctx.res, status, layout({ appName, user: session?.user, ...opts }, body), extra);
  }

  function status(ctx: Pick<RequestContext, 'res' | 'session'>, code: number, title: string, message: string, headers: Headers = {}): void {
    page(ctx, code, { title, recent: false }, html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the catalogue</a></p>`, headers);
  }

  const cookie = (value: string, maxAgeS: number) => `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}`;

  return {
    status,

    home(ctx) {
      const s = catalogue.stats();
      page(ctx, 200, { title: 'Home' }, html`<h1>Welcome to ${appName}</h1>
<p>${s.books} books by ${s.authors} authors in ${s.genres} genres; ${s.available} of ${s.copies} copies on the shelves. <a href="/books">Browse all books</a>.</p>
<h2>Featured</h2>
<ul class="grid">${catalogue.featured(FEATURED_COUNT).map(bookCard)}</ul>`);
    },

    books(ctx) {
      const raw = ctx.url.searchParams.get('page');
      if (raw !== null && !POSITIVE_INT_RE.test(raw)) {
        return status(ctx, 400, 'Bad request', 'The page number must be a positive whole number.');
      }
      const pageNo = raw === null ? 1 : Number(raw);
      const last = Math.max(1, Math.ceil(catalogue.size / PAGE_SIZE));
      if (pageNo > last) return status(ctx, 404, 'Page not found', `There are only ${last} pages of books.`);
      const { items } = catalogue.list({ offset: (pageNo - 1) * PAGE_SIZE, limit: PAGE_SIZE });
      page(ctx, 200, { title: `Books, page ${pageNo}` }, html`<h1>All books</h1>
<p class="muted">Page ${pageNo} of ${last}</p>
${bookRows(items)}
<nav class="pager">${pageNo > 1 ? html`<a rel="prev" href="/books?page=${pageNo - 1}">← Previous</a>` : ''}${pageNo < last ? html`<a rel="next" href="/books?page=${pageNo + 1}">Next →</a>` : ''}</nav>`);
    },

    book(ctx) {
      const raw = ctx.params.id ?? '';
      const book = POSITIVE_INT_RE.test(raw) ? catalogue.get(Number(raw)) : undefined;
      if (!book) return status(ctx, 404, 'Book not found', 'There is no book with that number in the catalogue.');
      const related = catalogue.related(book.id, 6);
      page(ctx, 200, { title: book.title }, html`<article class="detail">
<img src="/static/covers/${book.id}.svg" alt="Cover of ${book.title}" width="200" height="300">
<div><h1>${book.title}</h1>
<p>by <a href="/search?q=${encodeURIComponent(book.author)}">${book.author}</a></p>
<p>${book.summary}</p>
<dl><dt>Genre</dt><dd>${book.genre}</dd><dt>Published</dt><dd>${book.year}</dd><dt>Pages</dt><dd>${book.pages}</dd><dt>ISBN</dt><dd>${book.isbn}</dd><dt>Available</dt><dd>${book.available} of ${book.copies} copies</dd></dl>
</div></article>
<h2>Related books</h2>
<ul>${related.map((b) => html`<li><a href="/books/${b.id}">${b.title}</a> — ${b.author}</li>`)}</ul>
<p><a href="/books?page=${Math.ceil(book.id / PAGE_SIZE)}">Back to the list</a></p>`);
    },

    search(ctx) {
      const q = (ctx.url.searchParams.get('q') ?? '').trim();
      if (q.length > MAX_QUERY_LENGTH) {
        return status(ctx, 400, 'Search too long', `Search terms are limited to ${MAX_QUERY_LENGTH} characters.`);
      }
      if (q === '') {
        return page(ctx, 200, { title: 'Search' }, html`<h1>Search</h1><p>Type a title or an author's name in the search box above.</p>`);
      }
      const { total, items } = catalogue.list({ offset: 0, limit: MAX_SEARCH_RESULTS, q });
      const shown = total > items.length ? html` (showing the first ${items.length})` : '';
      page(ctx, 200, { title: `Search: ${q}`, query: q }, html`<h1>Search results for “${q}”</h1>
<p class="muted">${total} ${total === 1 ? 'book' : 'books'} found${shown}.</p>
${items.length > 0 ? bookRows(items) : html`<p>No books match. Try fewer words.</p>`}`);
    },

    loginForm(ctx) {
      page(ctx, 200, { title: 'Log in', recent: false }, loginForm(safeNext(ctx.url.searchParams.get('next'))), { 'cache-control': 'no-store' });
    },

    async login(ctx) {
      const type = ctx.req.headers['content-type'] ?? '';
      if (!FORM_TYPE_RE.test(type)) {
        metrics.bodiesRejected.inc({ reason: 'unsupported_type' });
        status(ctx, 415, 'Unsupported form', 'The login form must be sent as application/x-www-form-urlencoded.', { accept: 'application/x-www-form-urlencoded' });
        drainBody(ctx.req);
        return;
      }
      const body = await readBody(ctx.req, LOGIN_BODY_LIMIT);
      if (!body.ok) {
        metrics.bodiesRejected.inc({ reason: body.reason });
        if (body.reason === 'aborted') return;
        status(ctx, 413, 'Form too large', `The login form may not exceed ${LOGIN_BODY_LIMIT / 1024} KiB.`);
        drainBody(ctx.req);
        return;
      }
      const form = new URLSearchParams(body.body.toString('utf8'));
      const user = form.get('username') ?? '';
      const password = form.get('password') ?? '';
      const next = safeNext(form.get('next'));
      if (!user || !password || user.length > MAX_CREDENTIAL_LENGTH || password.length > MAX_CREDENTIAL_LENGTH) {
        metrics.logins.inc({ result: 'invalid' });
        return page(ctx, 400, { title: 'Log in', recent: false }, loginForm(next, 'Please enter a user name and a password.', user.slice(0, MAX_CREDENTIAL_LENGTH)), { 'cache-control': 'no-store' });
      }
      if (!users.verify(user, password)) {
        metrics.logins.inc({ result: 'failure' });
        return page(ctx, 401, { title: 'Log in', recent: false }, loginForm(next, 'Wrong user name or password.', user), { 'cache-control': 'no-store' });
      }
      metrics.logins.inc({ result: 'success' });
      const old = ctx.session();
      if (old) sessions.destroy(old.id);
      const session = sessions.create(user);
      redirect(ctx.res, next, { 'set-cookie': cookie(session.id, Math.floor(sessions.ttlMs / 1000)) });
    },

    logout(ctx) {
      const session = ctx.session();
      if (session) sessions.destroy(session.id);
      redirect(ctx.res, '/', { 'set-cookie': cookie('', 0) });
    },

    account(ctx) {
      const session = ctx.session();
      if (!session) return redirect(ctx.res, '/login?next=%2Faccount', {}, 303);
      const seed = [...session.user].reduce((s, c) => s + c.charCodeAt(0), 0);
      const loans = [0, 1, 2].map((i) => catalogue.get(((seed * 7 + i * 31) % catalogue.size) + 1)).filter((b): b is Book => !!b);
      page(ctx, 200, { title: 'Your account' }, html`<h1>Your account</h1>
<p>Signed in as <strong>${users.displayName(session.user)}</strong> (<code>${session.user}</code>) since ${new Date(session.createdAt).toISOString()}.</p>
<p class="muted">Session checked at ${new Date(clock.now()).toISOString()}.</p>
<h2>On loan</h2>
${bookRows(loans)}
<form action="/logout" method="post"><button type="submit">Log out</button></form>`);
    },
  };
}
