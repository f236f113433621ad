import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseReader, headScan, type HeadScan, type ResponseHead } from './response-reader.js';

interface Seen { head?: ResponseHead; body: Buffer[]; end?: boolean; error?: string }

/** Feeds `wire` to a reader in pieces of `step` bytes (0: all at once). */
function read(method: string, wire: string, step = 0, scan?: HeadScan): Seen {
  const seen: Seen = { body: [] };
  const r = new ResponseReader(method, {
    head: (h) => { seen.head = h; },
    body: (c) => { seen.body.push(Buffer.from(c)); },
    end: (reusable) => { seen.end = reusable; },
    error: (m) => { seen.error = m; },
  }, scan);
  const buf = Buffer.from(wire, 'latin1');
  if (step === 0) r.feed(buf);
  else for (let i = 0; i < buf.length; i += step) r.feed(buf.subarray(i, i + step));
  return seen;
}
const text = (s: Seen) => Buffer.concat(s.body).toString('latin1');
/** The field lines of the client head (after the status line). */
const fields = (s: Seen) => { const h = s.head!.text; return h.slice(h.indexOf('\r\n') + 2); };

test('Content-Length body, whole or byte by byte, ends reusable', () => {
  for (const step of [0, 1, 7]) {
    const s = read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello', step);
    assert.equal(s.head?.status, 200);
    assert.equal(s.head?.framing, 'length');
    assert.equal(fields(s), 'Content-Length: 5\r\nX-A: 1\r\n');
    assert.equal(text(s), 'hello');
    assert.equal(s.end, true);
  }
});

test('chunked body passes through unchanged and its end is found across any split', () => {
  const body = '5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
  for (const step of [0, 1, 3, 11]) {
    const s = read('GET', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, step);
    assert.equal(s.head?.framing, 'chunked');
    assert.equal(fields(s), 'Transfer-Encoding: chunked\r\n');
    assert.equal(text(s), body, `step ${step}`);
    assert.equal(s.end, true);
  }
});

test('bytes after the end of the response make the connection unusable', () => {
  const s = read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
  assert.equal(text(s), 'ok');
  assert.equal(s.end, false);
});

test('HEAD, 204 and 304 have no body; Connection: close is not reusable; hop-by-hop fields go', () => {
  const h = read('HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
  assert.equal(h.head?.framing, 'none');
  assert.equal(h.end, true);
  assert.equal(fields(h), 'Content-Length: 100\r\n');
  assert.equal(read('GET', 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n').end, true);
  assert.equal(read('GET', 'HTTP/1.1 204 No Content\r\n\r\n').end, true);
  const c = read('GET', 'HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n');
  assert.equal(c.end, false);
  assert.equal(fields(c), 'Content-Length: 0\r\n');
});

test('a body without length is read until close; 1xx interim responses are skipped', () => {
  const s = read('GET', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close');
  assert.equal(s.head?.status, 200);
  assert.equal(s.head?.framing, 'close');
  assert.equal(s.head?.keepAlive, false);
  assert.equal(text(s), 'until close');
  assert.equal(s.end, undefined);
});

test('malformed responses fail with a reason', () => {
  assert.match(read('GET', 'HTTP/2 200 OK\r\n\r\n').error ?? '', /status line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n').error ?? '', /Content-Length/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n').error ?? '', /chunk size/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n').error ?? '', /longer than its size/);
  assert.match(read('GET', 'HTTP/1.1 101 Switching Protocols\r\n\r\n').error ?? '', /101/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: injected\r\nContent-Length: 0\r\n\r\n').error ?? '', /bare CR/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A: a\nSet-Cookie: injected\r\nContent-Length: 0\r\n\r\n').error ?? '', /bare CR/);
});

test('the client head: HTTP/1.1, the reason as received or filled in, fields as received minus those Connection names', () => {
  const a = read('GET', 'HTTP/1.0 200 Fine\r\nX-A:  spaced \r\nConnection: keep-alive, X-Drop\r\nx-drop: 1\r\nX-Keep: 2\r\nContent-Length: 0\r\n\r\n');
  assert.equal(a.head?.text, 'HTTP/1.1 200 Fine\r\nX-A:  spaced \r\nX-Keep: 2\r\nContent-Length: 0\r\n');
  assert.equal(a.head?.keepAlive, true);
  assert.equal(read('GET', 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n').head?.text, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n');
  assert.equal(read('GET', 'HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n').head?.text, 'HTTP/1.1 599 \r\nContent-Length: 0\r\n');
  // nothing dropped: an HTTP/1.1 head goes as received, an HTTP/1.0 one with its version raised
  const same = 'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n';
  assert.equal(read('GET', `${same}\r\n`).head?.text, same);
  assert.equal(read('GET', 'HTTP/1.0 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n').head?.text, same);
  assert.equal(read('GET', 'HTTP/1.1 200 OK\r\n\r\n').head?.text, 'HTTP/1.1 200 OK\r\n');
  const te = read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\nX-B: b\r\n\r\n0\r\n\r\n');
  assert.equal(te.head?.text, 'HTTP/1.1 200 OK\r\nX-B: b\r\nTransfer-Encoding: chunked\r\n');
  assert.equal(te.end, true);
});

test('obs-fold, space before the colon, a bad status line and a bare CR at the end of the head fail', () => {
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 0\r\n\r\n').error ?? '', /malformed header line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 0\r\n\r\n').error ?? '', /malformed header line/);
  assert.match(read('GET', 'http/1.1 200 OK\r\n\r\n').error ?? '', /status line/);
  assert.match(read('GET', 'HTTP/1.1 099 OK\r\n\r\n').error ?? '', /status line/);
  assert.match(read('GET', 'HTTP/1.1 200OK\r\n\r\n').error ?? '', /status line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A: a\r\r\n\r\n').error ?? '', /bare CR/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n').error ?? '', /Content-Length "1x"/);
});

test('a response head over 64 KB fails, whole or in pieces', () => {
  const big = `HTTP/1.1 200 OK\r\n${'X-Pad: aaaaaaaa\r\n'.repeat(4000)}Content-Length: 0\r\n\r\n`;
  assert.match(read('GET', big).error ?? '', /too large/);
  assert.match(read('GET', big, 1000).error ?? '', /too large/);
  const many = `HTTP/1.1 200 OK\r\n${'X-P: a\r\n'.repeat(1000)}Content-Length: 0\r\n\r\n`;
  assert.equal(read('GET', many).head?.text.length, many.length - 2);
});

test('pieces fed as views of one reused read buffer (as the upstream pool does) parse the same', () => {
  const wire = Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nX-Long-Header: abcdefghijklmnop\r\nContent-Length: 11\r\n\r\nhello world', 'latin1');
  for (const step of [1, 5, 17, 40]) {
    const seen: Seen = { body: [] };
    const r = new ResponseReader('GET', {
      head: (h) => { seen.head = h; },
      body: (c) => { seen.body.push(Buffer.from(c)); },
      end: (reusable) => { seen.end = reusable; },
      error: (m) => { seen.error = m; },
    });
    const shared = Buffer.alloc(64);
    for (let i = 0; i < wire.length; i += step) {
      const n = wire.copy(shared, 0, i, i + step);
      r.feed(shared.subarray(0, n));
      shared.fill(0x7e); // the next read overwrites it
    }
    assert.equal(seen.error, undefined, `step ${step}`);
    assert.equal(fields(seen), 'X-Long-Header: abcdefghijklmnop\r\nContent-Length: 11\r\n', `step ${step}`);
    assert.equal(text(seen), 'hello world', `step ${step}`);
    assert.equal(seen.end, true);
  }
});

test('hop-by-hop fields go whatever their case and wherever they are; fields that only start like them stay', () => {
  const s = read('GET', 'HTTP/1.1 200 OK\r\nX-Early: 1\r\nKEEP-ALIVE: timeout=5\r\nte-header: a\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\n'
    + 'Trailer: X-T\r\nUpgraded: no\r\nUpgrade: h2c\r\nConnection-Info: c\r\nconnection: X-Early, x-late\r\nContent-Length: 2\r\nX-Late: 3\r\nX-Late: 4\r\nproxy-authenticate: Basic\r\n\r\nok');
  assert.equal(s.error, undefined);
  assert.equal(fields(s), 'te-header: a\r\nUpgraded: no\r\nConnection-Info: c\r\nContent-Length: 2\r\n');
  assert.equal(text(s), 'ok');
  assert.equal(s.end, true);
  // Connection cannot take away the framing
  const cl = read('GET', 'HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 2\r\n\r\nok');
  assert.equal(fields(cl), 'Content-Length: 2\r\n');
});

test('field names must be tokens; values may carry obs-text but no control character', () => {
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX@A: b\r\nContent-Length: 0\r\n\r\n').error ?? '', /malformed header line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX A: b\r\nContent-Length: 0\r\n\r\n').error ?? '', /malformed header line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\n: b\r\nContent-Length: 0\r\n\r\n').error ?? '', /malformed header line/);
  assert.match(read('GET', 'HTTP/1.1 200 OK\r\nX-A: b\x01\r\nContent-Length: 0\r\n\r\n').error ?? '', /control character/);
  assert.match(read('GET', 'HTTP/1.1 200 O\x7fK\r\nContent-Length: 0\r\n\r\n').error ?? '', /control character/);
  const ok = read('GET', 'HTTP/1.1 200 OK\r\nX-A: caf\xe9\tb\r\nContent-Length: 0\r\n\r\n');
  assert.equal(fields(ok), 'X-A: caf\xe9\tb\r\nContent-Length: 0\r\n');
});

test('a 60 KB head that fails at its last field is refused without blowing up', () => {
  const pad = 'X-Pad: aaaaaaaa\r\n'.repeat(3500);
  assert.match(read('GET', `HTTP/1.1 200 OK\r\n${pad}X-Bad : 1\r\n\r\n`).error ?? '', /malformed header line/);
  assert.match(read('GET', `HTTP/1.1 200 OK\r\n${pad}X-Bad: \x00\r\n\r\n`).error ?? '', /control character/);
  assert.equal(read('GET', `HTTP/1.1 200 OK\r\n${pad}Content-Length: 0\r\n\r\n`).head?.status, 200);
});

test('heads ending before, across and after the first KB of a read parse the same', () => {
  const base = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: \r\n\r\n'.length;
  for (const headLength of [200, 1023, 1024, 1025, 1026, 1027, 1028, 3000]) {
    const pad = 'p'.repeat(headLength - base);
    for (const step of [0, 100, 1023]) {
      const s = read('GET', `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ${pad}\r\n\r\nok`, step);
      assert.equal(s.error, undefined, `${headLength}/${step}`);
      assert.equal(fields(s), `Content-Length: 2\r\nX-Pad: ${pad}\r\n`, `${headLength}/${step}`);
      assert.equal(text(s), 'ok');
      assert.equal(s.end, true);
    }
  }
});

test('the scan size shared by the readers of a backend follows its heads, and a longer head than it still parses', () => {
  const scan = headScan();
  const wire = (headLength: number) => {
    const base = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: \r\n\r\n'.length;
    return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ${'p'.repeat(headLength - base)}\r\n\r\nok`;
  };
  const first = scan.bytes;
  for (let i = 0; i < 200; i++) assert.equal(read('GET', wire(250), 0, scan).end, true);
  // shrinks towards the head and its margin, never below them
  assert.ok(scan.bytes < first && scan.bytes >= 250 && scan.bytes <= 250 + 64 + 16, `${scan.bytes}`);
  // a longer head than the scan covers is found in the buffer, and the size grows to it at once
  for (const step of [0, 300]) {
    const s = read('GET', wire(700), step, scan);
    assert.equal(s.error, undefined);
    assert.equal(text(s), 'ok');
    assert.equal(s.end, true);
  }
  assert.ok(scan.bytes >= 700, `${scan.bytes}`);
  // heads of several KB are looked for in the buffer: the copy stays bounded
  assert.equal(read('GET', wire(5000), 0, scan).end, true);
  assert.ok(scan.bytes <= 1024, `${scan.bytes}`);
});
