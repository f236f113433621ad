import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead } from '../gateway/fast/request-head.js';
import { connectionTokens, forwardedMemo, receivedUpstreamHead, upstreamRequestHead } from './headers.js';

test('Connection names the fields that are hop-by-hop on this hop; keep-alive and close name none', () => {
  assert.equal(connectionTokens(undefined), null);
  assert.equal(connectionTokens('keep-alive'), null);
  assert.equal(connectionTokens('Close'), null);
  assert.equal(connectionTokens('KEEP-ALIVE'), null);
  assert.deepEqual(connectionTokens('keep-alive, X-Trace'), new Set(['x-trace']));
  assert.deepEqual(connectionTokens(['close', ' X-A ,x-b']), new Set(['x-a', 'x-b']));
  assert.deepEqual(connectionTokens('x-close'), new Set(['x-close']));
});

test("the fast path's upstream head is the client's bytes with the same fields as the head built field by field", () => {
  // name/value pairs of a head, whitespace around values dropped: what a backend's parser sees
  const fields = (head: string) => head.replace(/\r\n\r\n$/, '').split('\r\n').map((l, i) => (i === 0 ? l : l.replace(/^([^:]+):\s*(.*?)\s*$/, '$1: $2')));
  const fwd = { clientIp: '198.51.100.7', peerIp: '198.51.100.7', peerTrusted: false, proto: 'http' as const };
  const heads = [
    ['GET / HTTP/1.1', 'Host: 127.0.0.1:8000'],
    ['GET /books?page=2 HTTP/1.1', 'Host: shop.example', 'Connection: keep-alive', 'User-Agent: Mozilla/5.0', 'Accept:   text/html  ', 'Cookie: a=1'],
    ['HEAD /x HTTP/1.1', 'Connection: Close', 'Host: x'],
    ['GET /a HTTP/1.1', 'Host: x', 'X-Forwarded-For: 10.9.9.9', 'Accept: */*'],
    ['GET /a HTTP/1.1', 'Host: x', 'Connection: keep-alive, X-Trace', 'X-Trace: 1'],
    ['GET /a HTTP/1.1', 'Host: x', 'Keep-Alive: timeout=5', 'Connection: keep-alive'],
    ['GET /a HTTP/1.1', 'Host: x', 'Connection: close', 'Connection: keep-alive'],
    ['OPTIONS /a HTTP/1.1', 'Host: x', 'TE: trailers', 'Proxy-Authorization: Basic eA=='],
  ];
  let verbatim = 0;
  for (const lines of heads) {
    const h = parseRequestHead(lines.join('\r\n'), 100);
    assert.equal(typeof h, 'object', lines.join(' | '));
    if (typeof h === 'string') continue;
    if (h.verbatim) verbatim++;
    const fast = receivedUpstreamHead(h, fwd);
    assert.ok(fast.endsWith('\r\n\r\n') && !fast.slice(0, -4).includes('\r\n\r\n'), fast);
    assert.deepEqual(fields(fast), fields(upstreamRequestHead(h.method, h.url, h, fwd)), lines.join(' | '));
    assert.doesNotMatch(fast, /^connection:|^keep-alive:|^te:|^proxy-authorization:|10\.9\.9\.9|^x-trace:/im);
  }
  assert.equal(verbatim, 3, 'the first three heads go as received');
  // a trusted peer's X-Forwarded-For is extended, never copied as received
  const h = parseRequestHead(['GET / HTTP/1.1', 'Host: x', 'X-Forwarded-For: 203.0.113.1'].join('\r\n'), 100);
  assert.ok(typeof h === 'object');
  assert.match(receivedUpstreamHead(h, { ...fwd, peerTrusted: true, peerIp: '10.0.0.2' }), /X-Forwarded-For: 203\.0\.113\.1, 10\.0\.0\.2\r\n/);
});

test("a connection's memo of its X-Forwarded-* fields gives the head built without it, for any host and peer in turn", () => {
  const memo = forwardedMemo();
  const fwd = { clientIp: '198.51.100.7', peerIp: '198.51.100.7', peerTrusted: false, proto: 'http' as const };
  const parse = (host: string) => {
    const h = parseRequestHead(`GET /p HTTP/1.1\r\nHost: ${host}\r\nAccept: */*`, 100);
    assert.ok(typeof h === 'object');
    return h;
  };
  const turns: [string, typeof fwd][] = [
    ['a.example', fwd], ['a.example', fwd], ['b.example', fwd], ['a.example', fwd],
    ['a.example', { ...fwd, peerIp: '198.51.100.8', clientIp: '198.51.100.8' }], ['a.example', fwd],
  ];
  for (const [host, f] of turns) {
    const h = parse(host);
    const withMemo = receivedUpstreamHead(h, f, memo);
    assert.equal(withMemo, receivedUpstreamHead(h, f), `${host} from ${f.peerIp}`);
    assert.match(withMemo, new RegExp(`X-Forwarded-For: ${f.peerIp.replace(/\./g, '\\.')}\r\n.*X-Forwarded-Host: ${host.replace('.', '\\.')}\r\n\r\n$`, 's'));
  }
});
