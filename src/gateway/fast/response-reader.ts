import { STATUS_CODES } from 'node:http';
import { connectionTokens } from '../../proxy/headers.js';
import { eqLower, valueEnd, valueStart } from './ascii.js';
import { headEnd, latin1Of, scanOf } from './head-text.js';

/** How the end of a response body is found. */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  status: number;
  /**
   * The head as it goes to the client (latin1), without the blank line that ends it: `HTTP/1.1`,
   * the status and reason as received, then the field lines as received with the hop-by-hop ones
   * removed (and `Transfer-Encoding: chunked` when the body is chunked).
   */
  text: string;
  framing: Framing;
  /** The upstream connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ResponseSink {
  head(h: ResponseHead): void;
  /** Raw body bytes as they go to the client (chunked framing included); a view of the bytes fed, valid during the call only. */
  body(chunk: Buffer): void;
  /** The response is complete; `reusable` is false when the upstream connection must not be reused. */
  end(reusable: boolean): void;
  error(message: string): void;
}

const MAX_HEAD = 64 * 1024;
/** At most this many bytes of a read are copied into a string to find the end of the head in (most heads are well below 1 KB; the rest are found in the buffer). */
const SCAN = 1024;
/** At least this many, and this many more than the heads seen need. */
const SCAN_MIN = 128;
const SCAN_MARGIN = 64;

/**
 * How many bytes of a read the readers of one backend copy to find the end of a head in: sized to
 * the heads seen lately (one backend's heads are much alike), so that a 250-byte head does not
 * cost a 1 KB string. It grows at once to a longer head and shrinks by a sixteenth of the
 * difference per shorter one.
 */
export interface HeadScan { bytes: number }

export function headScan(): HeadScan {
  return { bytes: SCAN };
}

function learn(scan: HeadScan, headBytes: number): void {
  const need = Math.min(SCAN, Math.max(SCAN_MIN, headBytes + SCAN_MARGIN));
  const had = scan.bytes;
  scan.bytes = need >= had ? need : had - ((had - need) >> 4);
}
const BAD_HEAD = 'control character or bare CR/LF in the response head';
const CHUNKED = 'Transfer-Encoding: chunked\r\n';

/*
 * The head is read as one latin1 string (one native copy). One regular expression checks all of
 * it: it goes to the client as received, so a stray CR, LF or control character (which would split
 * or smuggle a line), a bad status line or a field line that is not a token name, a colon and a
 * value (no obs-fold, no space before the colon; RFC 9112 §4, §5) is refused. A second one finds
 * the few field lines the reader acts on, so the usual field lines are never visited one by one.
 * V8 runs a character class in compiled regular-expression code at a fraction of what a loop over
 * the bytes in JavaScript costs, and a slice or a concatenation of strings is a native copy.
 */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const HEAD = /^HTTP\/1\.[01] [1-9]\d\d(?: [^\x00-\x08\x0a-\x1f\x7f]*)?\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*\r\n)*$/;
/** A field line the reader acts on (hop-by-hop or framing), from the CRLF before it to its colon. */
const ACTED_ON = /\r\n(?:content-length|transfer-encoding|connection|keep-alive|te|trailer|upgrade|proxy-connection|proxy-authenticate|proxy-authorization):/gi;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const BAD_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const LENGTH: ReadonlySet<string> = new Set(['content-length']);
const STATUS_LINE = /^HTTP\/1\.[01] [1-9]\d\d(?: |\r\n)/;
/** Start and end (after its CRLF) of each field line dropped from the client's head, in order; a head has at most MAX_HEAD / 2 lines. */
const DROPS = new Int32Array(MAX_HEAD + 2);

const enum F { Other, HopByHop, ContentLength, TransferEncoding, Connection }

/** The kind of a field ACTED_ON found, from its name s[start, colon). */
function fieldKind(s: string, start: number, colon: number): F {
  switch (colon - start) {
    case 10: return eqLower(s, start, 'connection') ? F.Connection : F.HopByHop;
    case 14: return F.ContentLength;
    case 17: return F.TransferEncoding;
    default: return F.HopByHop;
  }
}

/** The value of 1 to 15 decimal digits in s[start, end), or -1. */
function digitsValue(s: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Why a head that HEAD refused is malformed. */
function headProblem(s: string): string {
  if (BAD_CHAR.test(s)) return BAD_HEAD;
  if (!STATUS_LINE.test(s)) return `malformed status line ${JSON.stringify(s.slice(0, Math.min(s.indexOf('\r\n'), 80)))}`;
  return 'malformed header line';
}

/**
 * DROPS again, in order, with every field line whose name `named` lists added to the `n / 2`
 * lines already there (one walk over the lines: only a head that asks for it pays for it); the new count.
 */
function dropNamed(s: string, statusEnd: number, named: ReadonlySet<string>, n: number): number {
  const dropped = new Set<number>();
  for (let i = 0; i < n; i += 2) dropped.add(DROPS[i]!);
  let m = 0;
  for (let at = statusEnd + 2; at < s.length;) {
    const end = s.indexOf('\r\n', at) + 2;
    if (dropped.has(at) || named.has(s.slice(at, s.indexOf(':', at)).toLowerCase())) { DROPS[m++] = at; DROPS[m++] = end; }
    at = end;
  }
  return m;
}

/**
 * The client's head: `HTTP/1.1` and the rest of the status line (a missing reason filled in), then
 * the field lines between the `n / 2` dropped ones in DROPS, then `Transfer-Encoding: chunked` if
 * chunked. An HTTP/1.1 head with a reason and nothing dropped is `s` itself.
 */
function clientHead(s: string, statusEnd: number, status: number, n: number, chunked: boolean): string {
  const asIs = statusEnd > 13 && s.charCodeAt(7) === 49;
  let out: string;
  if (asIs && n === 0) out = s;
  else {
    out = asIs ? '' : statusEnd > 13 ? `HTTP/1.1${s.slice(8, statusEnd + 2)}` : `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
    let from = asIs ? 0 : statusEnd + 2;
    for (let i = 0; i < n; i += 2) {
      const start = DROPS[i]!;
      if (start > from) out += s.slice(from, start);
      from = DROPS[i + 1]!;
    }
    if (from < s.length) out += s.slice(from);
  }
  return chunked ? out + CHUNKED : out;
}

const enum C { Size, Ext, SizeLf, Data, DataCr, DataLf, TrailerStart, TrailerLine, EndLf, Done }

/**
 * An incremental HTTP/1.x response parser for the fast path: reads the head (skipping 1xx interim
 * responses), decides the framing (RFC 9112 §6.3: HEAD/204/304 have no body, Transfer-Encoding
 * chunked, Content-Length, else until close) and passes body bytes through unchanged while it
 * follows the chunked framing to find the end. Malformed responses fail with a message.
 * A class rather than closures: one object per exchange on the hot path.
 */
export class ResponseReader {
  private pending: Buffer | null = null;
  private head: ResponseHead | null = null;
  /** Whether any byte of the response arrived. */
  started = false;
  private finished = false;
  private remaining = 0; // length framing: bytes left; chunked: data bytes left in the chunk
  private cstate = C.Size;
  private sizeDigits = 0;

  constructor(private readonly requestMethod: string, private readonly sink: ResponseSink, private readonly scan: HeadScan = headScan()) {}

  private fail(m: string): void {
    if (!this.finished) { this.finished = true; this.sink.error(m); }
  }

  private finish(reusable: boolean): void {
    if (!this.finished) { this.finished = true; this.sink.end(reusable && this.head!.keepAlive); }
  }

  /** `s`: the head as latin1, up to the CRLF of its last line (the blank line left out). */
  private parseHead(s: string): ResponseHead | 'interim' | string {
    if (!HEAD.test(s)) return headProblem(s);
    const statusEnd = s.indexOf('\r\n');
    const status = (s.charCodeAt(9) - 48) * 100 + (s.charCodeAt(10) - 48) * 10 + (s.charCodeAt(11) - 48);
    if (status === 101) return 'unexpected 101 Switching Protocols';
    if (status < 200) return 'interim';
    let keepAlive = s.charCodeAt(7) === 49;
    let length = -1;
    let chunked = false;
    let te = false;
    let named: Set<string> | null = null;
    // the field lines acted on: the hop-by-hop ones are dropped, Content-Length too when Transfer-Encoding came as well
    let n = 0;
    const re = ACTED_ON;
    re.lastIndex = statusEnd;
    // test, not exec: no match object; the match ends at the colon, and its line starts after the LF before it
    while (re.test(s)) {
      const c = re.lastIndex - 1;
      const start = s.lastIndexOf('\n', c) + 1;
      const stop = s.indexOf('\r\n', c);
      // the next search starts at this line's CRLF
      re.lastIndex = stop;
      const kind = fieldKind(s, start, c);
      if (kind === F.HopByHop) { DROPS[n++] = start; DROPS[n++] = stop + 2; continue; }
      const vs = valueStart(s, c + 1, stop);
      const ve = valueEnd(s, vs, stop);
      if (kind === F.ContentLength) {
        const v = digitsValue(s, vs, ve);
        if (v < 0 || (length >= 0 && v !== length)) { re.lastIndex = 0; return `bad Content-Length ${JSON.stringify(s.slice(vs, ve))}`; }
        length = v;
        continue;
      }
      DROPS[n++] = start;
      DROPS[n++] = stop + 2;
      if (kind === F.TransferEncoding) {
        te = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(s.slice(vs, ve));
      } else {
        const value = s.slice(vs, ve);
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
        const t = connectionTokens(value);
        if (t) { named ??= new Set(); for (const x of t) named.add(x); }
      }
    }
    re.lastIndex = 0;
    // Content-Length goes along with Transfer-Encoding (RFC 9112 §6.3): it is dropped, in order
    if (te && length >= 0) n = dropNamed(s, statusEnd, LENGTH, n);
    if (named) {
      // framing fields are the reader's business, whatever Connection says
      named.delete('content-length');
      n = dropNamed(s, statusEnd, named, n);
    }
    let framing: Framing;
    if (this.requestMethod === 'HEAD' || status === 204 || status === 304) framing = 'none';
    else if (te) framing = chunked ? 'chunked' : 'close';
    else if (length >= 0) framing = length === 0 ? 'none' : 'length';
    else framing = 'close';
    if (framing === 'close') keepAlive = false;
    this.remaining = framing === 'length' ? length : 0;
    return { status, text: clientHead(s, statusEnd, status, n, framing === 'chunked'), framing, keepAlive };
  }

  /** Follows chunked framing over buf; returns the end offset of the body in buf, -1 if it goes on, -2 on error. */
  private scanChunked(buf: Buffer): number {
    let i = 0;
    while (i < buf.length) {
      switch (this.cstate) {
        case C.Data: {
          const n = Math.min(this.remaining, buf.length - i);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.cstate = C.DataCr;
          continue;
        }
        case C.Size: {
          const b = buf[i]!;
          const d = b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;
          if (d >= 0) {
            if (++this.sizeDigits > 12) { this.fail('chunk size too large'); return -2; }
            this.remaining = this.remaining * 16 + d;
          } else if (this.sizeDigits === 0) { this.fail('malformed chunk size'); return -2; }
          else if (b === 13) this.cstate = C.SizeLf;
          else if (b === 59 || b === 32 || b === 9) this.cstate = C.Ext;
          else { this.fail('malformed chunk size'); return -2; }
          break;
        }
        case C.Ext:
          if (buf[i] === 13) this.cstate = C.SizeLf;
          break;
        case C.SizeLf:
          if (buf[i] !== 10) { this.fail('malformed chunk size line'); return -2; }
          this.sizeDigits = 0;
          this.cstate = this.remaining === 0 ? C.TrailerStart : C.Data;
          break;
        case C.DataCr:
          if (buf[i] !== 13) { this.fail('chunk data longer than its size'); return -2; }
          this.cstate = C.DataLf;
          break;
        case C.DataLf:
          if (buf[i] !== 10) { this.fail('chunk data longer than its size'); return -2; }
          this.cstate = C.Size;
          break;
        case C.TrailerStart:
          this.cstate = buf[i] === 13 ? C.EndLf : C.TrailerLine;
          break;
        case C.TrailerLine:
          if (buf[i] === 10) this.cstate = C.TrailerStart;
          break;
        case C.EndLf:
          if (buf[i] !== 10) { this.fail('malformed end of chunked body'); return -2; }
          this.cstate = C.Done;
          return i + 1;
        case C.Done:
          return i;
      }
      i++;
    }
    return -1;
  }

  /** The body bytes of `buf` from `from` on (a view is made only for what goes to the sink). */
  private body(buf: Buffer, from = 0): void {
    const h = this.head!;
    const n = buf.length - from;
    if (h.framing === 'close') { if (n > 0) this.sink.body(from === 0 ? buf : buf.subarray(from)); return; }
    if (h.framing === 'length') {
      if (n < this.remaining) { this.remaining -= n; this.sink.body(from === 0 ? buf : buf.subarray(from)); return; }
      const extra = n > this.remaining;
      const last = from === 0 && !extra ? buf : buf.subarray(from, from + this.remaining);
      this.remaining = 0;
      if (last.length > 0) this.sink.body(last);
      this.finish(!extra);
      return;
    }
    const rest = from === 0 ? buf : buf.subarray(from);
    const end = this.scanChunked(rest);
    if (end === -2) return;
    if (end === -1) { if (rest.length > 0) this.sink.body(rest); return; }
    if (end > 0) this.sink.body(rest.subarray(0, end));
    this.finish(end === rest.length);
  }

  /** Bytes from the upstream socket; `chunk` may be reused once this returns (a partial head is copied). */
  feed(chunk: Buffer): void {
    if (this.finished) return;
    this.started = true;
    if (this.head) { this.body(chunk); return; }
    // what is kept for the next read must not be a view of `chunk`
    const owned = this.pending !== null;
    let buf: Buffer = owned ? Buffer.concat([this.pending!, chunk]) : chunk;
    for (;;) {
      const scan = scanOf(buf, this.scan.bytes);
      const end = headEnd(buf, scan);
      if (end < 0) {
        if (buf.length > MAX_HEAD) { this.fail('response head too large'); return; }
        this.pending = owned ? buf : Buffer.from(buf);
        return;
      }
      if (end > MAX_HEAD) { this.fail('response head too large'); return; }
      learn(this.scan, end + 4);
      const parsed = this.parseHead(latin1Of(buf, scan, 0, end + 2));
      if (parsed === 'interim') { buf = buf.subarray(end + 4); continue; }
      if (typeof parsed === 'string') { this.fail(parsed); return; }
      this.pending = null;
      this.head = parsed;
      this.sink.head(parsed);
      if (this.finished) return;
      const from = end + 4;
      if (parsed.framing === 'none') { this.finish(buf.length === from); return; }
      if (buf.length > from) this.body(buf, from);
      return;
    }
  }

  /** The upstream closed its side: ends a close-delimited body, fails anything else. */
  eof(): void {
    if (this.finished) return;
    if (this.head && this.head.framing === 'close') this.finish(false);
    else this.fail(this.started ? 'upstream closed the connection in the middle of the response' : 'upstream closed the connection');
  }
}
