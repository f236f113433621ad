import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, type FastHead } from './request-head.js';

const head = (lines: string[]) => lines.join('\r\n');

test('a browser GET parses with headers combined as node:http combines them', () => {
  const h = parseRequestHead(head([
    'GET /books?page=2 HTTP/1.1', 'Host: shop.example', 'User-Agent: a', 'User-Agent: b', 'Accept: text/html',
    'Accept: */*', 'Cookie: a=1', 'Cookie: b=2', 'X-Empty:', 'Content-Length: 0',
  ]), 100) as FastHead;
  assert.equal(typeof h, 'object');
  assert.equal(h.method, 'GET');
  assert.equal(h.url, '/books?page=2');
  assert.equal(h.headers.host, 'shop.example');
  assert.equal(h.headers['user-agent'], 'a', 'duplicates of single-valued fields keep the first');
  assert.equal(h.headers.accept, 'text/html, */*');
  assert.equal(h.headers.cookie, 'a=1; b=2');
  assert.equal(h.headers['x-empty'], '');
  assert.equal(h.rawHeaders.length, 18);
  assert.deepEqual(h.rawHeaders.slice(0, 2), ['Host', 'shop.example']);
  assert.equal(h.close, false);
});

test('Connection: close is seen', () => {
  const h = parseRequestHead(head(['HEAD / HTTP/1.1', 'Host: x', 'Connection: Close']), 100) as FastHead;
  assert.equal(h.close, true);
});

test('everything the fast path does not carry is handed over, with its reason', () => {
  const cases: [string[], string][] = [
    [['POST /login HTTP/1.1', 'Host: x', 'Content-Length: 5'], 'method'],
    [['GET / HTTP/1.1', 'Host: x', 'Content-Length: 5'], 'body'],
    [['GET / HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'], 'body'],
    [['GET / HTTP/1.1', 'Host: x', 'Expect: 100-continue'], 'expect'],
    [['GET /ws HTTP/1.1', 'Host: x', 'Connection: Upgrade', 'Upgrade: websocket'], 'upgrade'],
    [['GET / HTTP/1.0', 'Host: x'], 'version'],
    [['GET http://x/ HTTP/1.1', 'Host: x'], 'target'],
    [['GET * HTTP/1.1', 'Host: x'], 'target'],
    [['GET /_shield/health HTTP/1.1', 'Host: x'], 'shield_route'],
    [['GET / HTTP/1.1'], 'host'],
    [['GET / HTTP/1.1', 'Host: x', 'Host: y'], 'host'],
    [['GET / HTTP/1.1', 'Host: x', 'Bad Name: y'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'Name : y'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', ' folded'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: b\nc'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: b\x00'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: b\rc'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: b', 'C: d', 'E: f\x01'], 'malformed'],
    [['GET / HTTP/1.1', 'Transfer-Encoding: chunked', 'Host: x', 'Bad Name: y'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: b\x0b'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x', 'A: \rb'], 'malformed'],
    [['GET / HTTP/1.1', 'Host: x\n', 'A: b'], 'malformed'],
    [['GET / HTTP/1.1\r', 'Host: x'], 'malformed'],
    [['GET /\r HTTP/1.1', 'Host: x'], 'malformed'],
    [['GET /a b HTTP/1.1', 'Host: x'], 'malformed'],
    [['GET /\x7f HTTP/1.1', 'Host: x'], 'malformed'],
    [['GET /é HTTP/1.1', 'Host: x'], 'target'],
  ];
  for (const [lines, reason] of cases) assert.equal(parseRequestHead(head(lines), 100), reason, JSON.stringify(lines));
});

test('more header fields than the limit are handed over', () => {
  const lines = ['GET / HTTP/1.1', 'Host: x'];
  for (let i = 0; i < 10; i++) lines.push(`X-${i}: ${i}`);
  assert.equal(parseRequestHead(head(lines), 10), 'too_many_headers');
  assert.equal(typeof parseRequestHead(head(lines), 11), 'object');
});

test('a field named __proto__ changes no prototype and stays in rawHeaders', () => {
  const h = parseRequestHead(head(['GET / HTTP/1.1', 'Host: x', '__proto__: polluted', 'X-A: 1']), 100) as FastHead;
  assert.equal(Object.getPrototypeOf(h.headers), Object.prototype);
  assert.equal(Object.hasOwn(h.headers, '__proto__'), false);
  assert.equal(h.headers['x-a'], '1');
  assert.deepEqual(h.rawHeaders.slice(2, 4), ['__proto__', 'polluted']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('OPTIONS * (the server as a whole) is carried, its target as it came', () => {
  const h = parseRequestHead(head(['OPTIONS * HTTP/1.1', 'Host: x']), 100) as FastHead;
  assert.equal(typeof h, 'object');
  assert.equal(h.method, 'OPTIONS');
  assert.equal(h.url, '*');
});

test('the fields the detector reads are taken as node:http would combine them, whatever the case of their names', () => {
  const h = parseRequestHead(head([
    'GET / HTTP/1.1', 'HOST: shop.example', 'user-AGENT: first', 'User-Agent: second', 'Accept: text/html', 'ACCEPT: */*',
    'Accept-Encoding: gzip', 'accept-language:\ten ', 'Sec-Fetch-Mode: navigate', 'Referer: /a', 'Referer: /b', 'Cookie: a=1', 'cookie: b=2',
    'X-Accept: no',
  ]), 100) as FastHead;
  assert.deepEqual({ ...h.signals }, {
    userAgent: 'first', accept: 'text/html, */*', acceptEncoding: 'gzip', acceptLanguage: 'en', secFetchMode: 'navigate', referer: '/a', cookie: 'a=1; b=2',
  });
  assert.equal(h.host, 'shop.example');
  assert.equal(h.headers.accept, h.signals.accept);
  assert.equal(h.headers.cookie, h.signals.cookie);
  assert.equal(h.headers['user-agent'], h.signals.userAgent);
  assert.equal(h.headers, h.headers, 'built once');
  const bare = parseRequestHead(head(['GET / HTTP/1.1', 'Host: x']), 100) as FastHead;
  assert.deepEqual(Object.values(bare.signals), [undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('a plain Connection field is cut from the upstream head; any other hop-by-hop or X-Forwarded field makes it field by field', () => {
  const plain = parseRequestHead(head(['GET / HTTP/1.1', 'Host: x', 'Connection: Keep-Alive', 'X-A: 1']), 100) as FastHead;
  assert.equal(plain.verbatim, true);
  assert.equal(plain.text.slice(plain.cutStart, plain.cutEnd), '\r\nConnection: Keep-Alive');
  for (const extra of ['Keep-Alive: timeout=5', 'TE: trailers', 'x-forwarded-for: 1.2.3.4', 'X-Forwarded-Host: y', 'Proxy-Authorization: Basic eA==', 'Connection: close']) {
    const h = parseRequestHead(head(['GET / HTTP/1.1', 'Host: x', 'Connection: keep-alive', extra]), 100) as FastHead;
    assert.equal(h.verbatim, false, extra);
  }
  const named = parseRequestHead(head(['GET / HTTP/1.1', 'Host: x', 'Connection: X-Private']), 100) as FastHead;
  assert.equal(named.verbatim, false);
  assert.equal(named.cutStart, -1);
});

test('rawHeaders, built when first read, lists every field as sent with its value trimmed of spaces and tabs; fieldCount counts them', () => {
  const lines = ['GET / HTTP/1.1', 'Host:  shop.example ', 'X-Trace:\tabc\t', 'user-agent: ua', 'X-Obs: caf\xe9', 'X-Empty:', 'Accept: */*'];
  const h = parseRequestHead(head(lines), 100) as FastHead;
  assert.equal(h.fieldCount, 6);
  assert.deepEqual(h.rawHeaders, ['Host', 'shop.example', 'X-Trace', 'abc', 'user-agent', 'ua', 'X-Obs', 'caf\xe9', 'X-Empty', '', 'Accept', '*/*']);
  assert.equal(h.headers['x-trace'], 'abc');
  const bare = parseRequestHead('GET / HTTP/1.1\r\nHost: x', 100) as FastHead;
  assert.equal(bare.fieldCount, 1);
  assert.deepEqual(bare.rawHeaders, ['Host', 'x']);
  // the limit counts field lines, as node:http's maxHeadersCount does
  assert.equal(parseRequestHead(head(lines), 6) === 'too_many_headers', false);
  assert.equal(parseRequestHead(head(lines), 5), 'too_many_headers');
});
