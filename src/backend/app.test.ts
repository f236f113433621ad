import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Client } from 'undici';
import { startTestBackend, waitFor, type RunningBackend } from './testing.js';

let app: RunningBackend;
before(async () => { app = await startTestBackend({ name: 'Test Library' }); });
after(async () => { await app.close(); });

const get = (path: string, init: RequestInit = {}) => fetch(app.base + path, { redirect: 'manual', ...init });

function assetRefs(html: string): string[] {
  return [...html.matchAll(/(?:href|src)="(\/[^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
}

function postForm(path: string, body: string, headers: Record<string, string> = {}) {
  return get(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

describe('HTML pages', () => {
  const pages = ['/', '/books', '/books?page=3', '/books/17', '/search?q=the', '/search', '/login'];
  for (const path of pages) {
    test(`${path} is HTML whose stylesheet, script, icon, covers and links answer 200`, async () => {
      const res = await get(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      const html = await res.text();
      assert.match(html, /Test Library/);
      const refs = new Set(assetRefs(html));
      for (const needed of ['/static/app.css', '/static/app.js', '/static/favicon.svg']) assert.ok(refs.has(needed), needed);
      for (const ref of refs) {
        if (ref.startsWith('/logout')) continue;
        const r = await get(ref);
        await r.arrayBuffer();
        assert.ok(r.status === 200, `${ref} from ${path}: ${r.status}`);
      }
    });
  }

  test('the home page shows featured covers and the book page its own cover and related books', async () => {
    const home = await (await get('/')).text();
    assert.equal((home.match(/<img src="\/static\/covers\/\d+\.svg"/g) ?? []).length, 8);
    const detail = await (await get('/books/17')).text();
    assert.match(detail, /src="\/static\/covers\/17\.svg"/);
    assert.ok((detail.match(/href="\/books\/\d+"/g) ?? []).length >= 1);
  });

  test('the script fetches recently added books from the JSON API', async () => {
    const js = await (await get('/static/app.js')).text();
    const path = /fetch\('([^']+)'/.exec(js)?.[1];
    assert.ok(path);
    const res = await get(path);
    assert.equal(res.status, 200);
    const body = await res.json() as { items: unknown[] };
    assert.equal(body.items.length, 5);
  });

  test('bad and out-of-range page numbers, unknown books and unknown paths', async () => {
    assert.equal((await get('/books?page=abc')).status, 400);
    assert.equal((await get('/books?page=0')).status, 400);
    assert.equal((await get('/books?page=999')).status, 404);
    assert.equal((await get('/books/0')).status, 404);
    assert.equal((await get('/books/abc')).status, 404);
    const res = await get('/no/such/page');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /does not exist/);
  });

  test('search escapes the query, finds by author and rejects overlong queries', async () => {
    const xss = await (await get('/search?q=%3Cscript%3Ealert(1)%3C/script%3E')).text();
    assert.ok(!xss.includes('<script>alert'));
    assert.match(xss, /&lt;script&gt;/);
    const book = await (await get('/api/books/17')).json() as { author: string; title: string };
    const found = await (await get(`/search?q=${encodeURIComponent(book.author)}`)).text();
    assert.ok(found.includes(book.title.replace(/'/g, '&#39;')));
    const long = await get(`/search?q=${'a'.repeat(101)}`);
    assert.equal(long.status, 400);
    assert.match(await long.text(), /limited to 100 characters/);
  });
});

describe('login and sessions', () => {
  test('wrong credentials get a 401 page and no cookie', async () => {
    const res = await postForm('/login', 'username=reader&password=nope');
    assert.equal(res.status, 401);
    assert.equal(res.headers.getSetCookie().length, 0);
    assert.match(await res.text(), /Wrong user name or password/);
    assert.equal((await postForm('/login', 'username=&password=')).status, 400);
  });

  test('logging in sets an HttpOnly SameSite=Lax sid cookie that opens /account until logout', async () => {
    const anon = await get('/account');
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.get('location'), '/login?next=%2Faccount');

    const res = await postForm('/login', 'username=reader&password=reader&next=%2Faccount');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account');
    const setCookie = res.headers.getSetCookie()[0] ?? '';
    assert.match(setCookie, /^sid=[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    const cookie = setCookie.split(';')[0] ?? '';

    const account = await get('/account', { headers: { cookie } });
    assert.equal(account.status, 200);
    assert.match(account.headers.get('cache-control') ?? '', /no-store/);
    assert.match(await account.text(), /Signed in as <strong>Demo Reader<\/strong>/);

    const out = await get('/logout', { method: 'POST', headers: { cookie } });
    assert.equal(out.status, 303);
    assert.match(out.headers.getSetCookie()[0] ?? '', /^sid=; .*Max-Age=0/);
    assert.equal((await get('/account', { headers: { cookie } })).status, 303);
  });

  test('an off-site next parameter is ignored', async () => {
    const res = await postForm('/login', 'username=librarian&password=librarian&next=%2F%2Fevil.example%2F');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account');
  });

  test('a non-form body gets 415 and an oversized one 413, both counted', async () => {
    const json = await get('/login', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 415);
    const big = await new Promise<number>((resolve, reject) => {
      const body = Buffer.alloc(100 * 1024, 'a');
      const req = request(`${app.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(big.valueOf(), 413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      for (let i = 0; i < 25; i++) req.write(Buffer.alloc(4096, 'a'));
      req.end();
    });
    assert.equal(chunked, 413);
    const metrics = await (await get('/metrics')).text();
    assert.match(metrics, /backend_request_bodies_rejected_total\{reason="too_large",app="Test Library"\} 2/);
    assert.match(metrics, /backend_request_bodies_rejected_total\{reason="unsupported_type",app="Test Library"\} 1/);
  });

  test('a client still sending a refused body reads the 413, and its connection carries the next request', async () => {
    // the proxy's case: undici writes a 5 MB body the backend refuses from its Content-Length alone
    const client = new Client(app.base, { pipelining: 1 });
    let connections = 0;
    client.on('connect', () => { connections++; });
    try {
      const big = await client.request({
        path: '/login', method: 'POST', body: Buffer.alloc(5_000_000, 'a'),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(big.statusCode, 413);
      assert.match(await big.body.text(), /Form too large/);
      const unread = await client.request({
        path: '/login', method: 'POST', body: Buffer.alloc(2_000_000, 'a'),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(unread.statusCode, 415);
      await unread.body.dump();
      const next = await client.request({ path: '/health', method: 'GET' });
      assert.equal(next.statusCode, 200);
      await next.body.dump();
      assert.equal(connections, 1, 'one keep-alive connection carried the three requests');
    } finally {
      await client.close();
    }
  });
});

describe('JSON API', () => {
  test('lists books with limit, offset and q', async () => {
    const res = await get('/api/books?limit=3&offset=10');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.json() as { total: number; limit: number; offset: number; items: Array<{ id: number }> };
    assert.equal(body.total, 200);
    assert.deepEqual(body.items.map((b) => b.id), [11, 12, 13]);
    const one = await (await get('/api/books/12')).json() as { title: string };
    const q = await (await get(`/api/books?q=${encodeURIComponent(one.title)}`)).json() as { items: Array<{ id: number }> };
    assert.ok(q.items.some((b) => b.id === 12));
  });

  for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'offset=1.5', 'sort=price', `q=${'x'.repeat(101)}`]) {
    test(`rejects ${bad.slice(0, 20)} with a 400 JSON message`, async () => {
      const res = await get(`/api/books?${bad}`);
      assert.equal(res.status, 400);
      const body = await res.json() as { error: string; message: string };
      assert.equal(body.error, 'bad_request');
      assert.match(body.message, new RegExp(bad.split('=')[0] ?? ''));
    });
  }

  test('unknown books and API paths are 404 JSON; stats count the catalogue', async () => {
    for (const path of ['/api/books/9999', '/api/books/abc', '/api/nothing']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json() as { error: string }).error, 'not_found');
    }
    const stats = await (await get('/api/stats')).json() as { books: number; authors: number; genres: number };
    assert.equal(stats.books, 200);
    assert.ok(stats.authors > 1 && stats.genres > 1);
  });

  test('/health reports healthy with the name and uptime', async () => {
    const res = await get('/health');
    assert.equal(res.status, 200);
    const body = await res.json() as { status: string; name: string; uptime_seconds: number };
    assert.equal(body.status, 'healthy');
    assert.equal(body.name, 'Test Library');
    assert.equal(typeof body.uptime_seconds, 'number');
  });
});

describe('HTTP semantics', () => {
  test('a wrong method gets 405 with Allow, OPTIONS gets 204 with Allow', async () => {
    const page = await get('/books', { method: 'POST', body: 'x' });
    assert.equal(page.status, 405);
    assert.equal(page.headers.get('allow'), 'GET, HEAD, OPTIONS');
    const api = await get('/api/books/1', { method: 'DELETE' });
    assert.equal(api.status, 405);
    assert.equal((await api.json() as { error: string }).error, 'method_not_allowed');
    const login = await get('/login', { method: 'PUT' });
    assert.equal(login.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    const opts = await get('/login', { method: 'OPTIONS' });
    assert.equal(opts.status, 204);
    assert.equal(opts.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  });

  test('static assets carry Cache-Control and an ETag that yields 304', async () => {
    for (const path of ['/static/app.css', '/static/app.js', '/static/covers/7.svg', '/robots.txt']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
      const etag = res.headers.get('etag');
      assert.ok(etag, path);
      assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
      const again = await get(path, { headers: { 'if-none-match': `W/${etag}, "other"` } });
      assert.equal(again.status, 304, path);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      const changed = await get(path, { headers: { 'if-none-match': '"stale"' } });
      assert.equal(changed.status, 200);
      await changed.arrayBuffer();
    }
    const cover = await get('/static/covers/7.svg');
    assert.equal(cover.headers.get('content-type'), 'image/svg+xml');
    assert.match(await cover.text(), /^<svg /);
    assert.equal((await get('/static/covers/999.svg')).status, 404);
  });

  test('HEAD answers the GET headers without a body', async () => {
    const res = await get('/books', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers.get('content-length')) > 0);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  test('/metrics counts requests by route and status class and logs each at debug', async () => {
    const count = async (route: string, cls: string) => {
      const text = await (await get('/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith('backend_http_requests_total{')
        && l.includes(`route="${route}"`) && l.includes(`status_class="${cls}"`) && l.includes('method="GET"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const ok0 = await count('/api/books/:id', '2xx');
    const nf0 = await count('/api/books/:id', '4xx');
    for (const id of [101, 102, 103]) await (await get(`/api/books/${id}`)).arrayBuffer();
    await (await get('/api/books/5000')).arrayBuffer();
    await waitFor(async () => (await count('/api/books/:id', '2xx')) === ok0 + 3, 10_000, 'three 2xx');
    await waitFor(async () => (await count('/api/books/:id', '4xx')) === nf0 + 1, 10_000, 'one 4xx');
    const res = await get('/metrics');
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await res.text(), /backend_http_request_duration_seconds_bucket\{[^}]*route="\/api\/books\/:id"[^}]*\} [1-9]/);
    await waitFor(() => app.logLines().some((l) => l.msg === 'request' && l.url === '/api/books/5000' && l.status === 404 && l.level === 20), 10_000, 'access log');
  });
});
