import { STATUS_CODES } from 'node:http';
import { connectionTokens } from '../../proxy/headers.js';

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

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;
const BAD_HEAD = 'control character or bare CR/LF in the response head';
const CHUNKED = 'Transfer-Encoding: chunked\r\n';
/**
 * Start, colon (-1: none) and end of each line of the head being parsed, and what happens to each
 * field line (0 passed on, 1 dropped, 2 Content-Length). Parsing is synchronous, so one set
 * serves every reader; a head has at most MAX_HEAD / 2 lines.
 */
const LINES = new Int32Array(3 * (MAX_HEAD / 2 + 1));
const KINDS = new Uint8Array(MAX_HEAD / 2 + 1);

const enum F { Other, HopByHop, ContentLength, TransferEncoding, Connection }

/*
 * After the one pass over the bytes that validates the head and finds its lines, the head is a
 * latin1 string: one native copy, then slices and concatenation build the client's head (V8 copies
 * strings natively; a byte-by-byte copy between Buffers costs tens of instructions a byte).
 */

/** Whether s[start, start + lower.length) equals `lower` ignoring ASCII case (`lower` is lower-case letters and '-'). */
function eqLower(s: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const b = s.charCodeAt(start + i);
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The fields the reader acts on (RFC 9110 §7.6.1 hop-by-hop ones, the framing ones), from the name. */
function fieldKind(s: string, start: number, colon: number): F {
  switch (colon - start) {
    case 2: return eqLower(s, start, 'te') ? F.HopByHop : F.Other;
    case 7: return eqLower(s, start, 'trailer') || eqLower(s, start, 'upgrade') ? F.HopByHop : F.Other;
    case 10: return eqLower(s, start, 'connection') ? F.Connection : eqLower(s, start, 'keep-alive') ? F.HopByHop : F.Other;
    case 14: return eqLower(s, start, 'content-length') ? F.ContentLength : F.Other;
    case 16: return eqLower(s, start, 'proxy-connection') ? F.HopByHop : F.Other;
    case 17: return eqLower(s, start, 'transfer-encoding') ? F.TransferEncoding : F.Other;
    case 18: return eqLower(s, start, 'proxy-authenticate') ? F.HopByHop : F.Other;
    case 19: return eqLower(s, start, 'proxy-authorization') ? F.HopByHop : F.Other;
    default: return F.Other;
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

/** `HTTP/1.0` or `HTTP/1.1`, a space, three digits (the first 1-9), then the end or a space and the reason. */
function isStatusLine(s: string, end: number): boolean {
  if (end < 12 || !s.startsWith('HTTP/1.')) return false;
  const minor = s.charCodeAt(7);
  if ((minor !== 48 && minor !== 49) || s.charCodeAt(8) !== 32) return false;
  for (let i = 9; i < 12; i++) {
    const d = s.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return s.charCodeAt(9) !== 48 && (end === 12 || s.charCodeAt(12) === 32);
}

/** A space or a horizontal tab. */
const isBlank = (c: number) => c === 32 || c === 9;

/**
 * The client's head: `HTTP/1.1` and the rest of the status line (a missing reason filled in), then
 * the runs of field lines kept, then `Transfer-Encoding: chunked` if chunked. An HTTP/1.1 head
 * with a reason and nothing dropped is `s` itself.
 */
function clientHead(s: string, status: number, fields: number, named: Set<string> | null, te: boolean, chunked: boolean): string {
  const lines = LINES;
  const kinds = KINDS;
  const statusEnd = lines[2]!;
  const asIs = statusEnd > 13 && s.charCodeAt(7) === 49;
  let out = asIs ? s.slice(0, statusEnd + 2)
    : statusEnd > 13 ? `HTTP/1.1${s.slice(8, statusEnd + 2)}` : `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  // consecutive lines kept are one slice
  let runStart = -1;
  let runEnd = -1;
  for (let f = 0; f < fields; f++) {
    const k = kinds[f]!;
    const start = lines[3 + f * 3]!;
    const drop = k === 1 || (k === 2 && te)
      || (k === 0 && named !== null && named.has(s.slice(start, lines[4 + f * 3]!).toLowerCase()));
    if (drop) continue;
    if (start !== runEnd) {
      if (runStart >= 0) out += s.slice(runStart, runEnd);
      runStart = start;
    }
    runEnd = lines[5 + f * 3]! + 2;
  }
  if (runStart >= 0) {
    // the status line as received and one run to the end: the whole head unchanged
    if (asIs && runStart === statusEnd + 2 && runEnd === s.length) out = s;
    else out += s.slice(runStart, runEnd);
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

  constructor(private readonly requestMethod: string, private readonly sink: ResponseSink) {}

  private fail(m: string): void {
    if (!this.finished) { this.finished = true; this.sink.error(m); }
  }

  private finish(reusable: boolean): void {
    if (!this.finished) { this.finished = true; this.sink.end(reusable && this.head!.keepAlive); }
  }

  private parseHead(buf: Buffer, end: number): ResponseHead | 'interim' | string {
    // One pass over the head's bytes: it goes to the client as received, so a stray CR, LF or
    // control byte (which would split or smuggle a line) is refused, and every line is located.
    // (Typed-array reads cost V8 fewer instructions per byte than charCodeAt on a string.)
    const lines = LINES;
    let n = 0;
    let at = 0;
    let colon = -1;
    for (let i = 0; i <= end; i++) {
      const c = buf[i]!;
      if (c >= 32) {
        if (c === 58) { if (colon < 0) colon = i; } else if (c === 127) return BAD_HEAD;
      } else if (c === 13) {
        if (buf[i + 1] !== 10) return BAD_HEAD;
        lines[n++] = at;
        lines[n++] = colon;
        lines[n++] = i;
        at = i + 2;
        colon = -1;
        i++;
      } else if (c !== 9) {
        return BAD_HEAD;
      }
    }
    const s = buf.toString('latin1', 0, end + 2);
    const statusEnd = lines[2]!;
    if (!isStatusLine(s, statusEnd)) return `malformed status line ${JSON.stringify(s.slice(0, Math.min(statusEnd, 80)))}`;
    const status = (s.charCodeAt(9) - 48) * 100 + (s.charCodeAt(10) - 48) * 10 + (s.charCodeAt(11) - 48);
    if (status === 101) return 'unexpected 101 Switching Protocols';
    if (status < 200) return 'interim';
    let keepAlive = s.charCodeAt(7) === 49;
    let length = -1;
    let chunked = false;
    let te = false;
    let named: Set<string> | null = null;
    // kinds: 0 passed on, 1 hop-by-hop, 2 Content-Length
    const kinds = KINDS;
    const fieldCount = n / 3 - 1;
    for (let l = 3; l < n; l += 3) {
      const start = lines[l]!;
      const c = lines[l + 1]!;
      const stop = lines[l + 2]!;
      // no empty name, no obs-fold continuation line, no space before the colon (RFC 9112 §5.1, §5.2)
      if (c <= start || isBlank(s.charCodeAt(start)) || isBlank(s.charCodeAt(c - 1))) return 'malformed header line';
      const kind = fieldKind(s, start, c);
      kinds[l / 3 - 1] = kind === F.ContentLength ? 2 : kind === F.Other ? 0 : 1;
      if (kind === F.Other || kind === F.HopByHop) continue;
      let vs = c + 1;
      let ve = stop;
      while (vs < ve && isBlank(s.charCodeAt(vs))) vs++;
      while (ve > vs && isBlank(s.charCodeAt(ve - 1))) ve--;
      if (kind === F.ContentLength) {
        const v = digitsValue(s, vs, ve);
        if (v < 0 || (length >= 0 && v !== length)) return `bad Content-Length ${JSON.stringify(s.slice(vs, ve))}`;
        length = v;
      } else if (kind === F.TransferEncoding) {
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
    let framing: Framing;
    if (this.requestMethod === 'HEAD' || status === 204 || status === 304) framing = 'none';
    else if (te) framing = chunked ? 'chunked' : 'close';
    else if (length >= 0) framing = length === 0 ? 'none' : 'length';
    else framing = 'close';
    if (framing === 'close') keepAlive = false;
    this.remaining = framing === 'length' ? length : 0;
    return { status, text: clientHead(s, status, fieldCount, named, te, framing === 'chunked'), framing, keepAlive };
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

  private body(buf: Buffer): void {
    const h = this.head!;
    if (h.framing === 'close') { if (buf.length > 0) this.sink.body(buf); return; }
    if (h.framing === 'length') {
      if (buf.length < this.remaining) { this.remaining -= buf.length; this.sink.body(buf); return; }
      const last = buf.subarray(0, this.remaining);
      const extra = buf.length > this.remaining;
      this.remaining = 0;
      if (last.length > 0) this.sink.body(last);
      this.finish(!extra);
      return;
    }
    const end = this.scanChunked(buf);
    if (end === -2) return;
    if (end === -1) { if (buf.length > 0) this.sink.body(buf); return; }
    if (end > 0) this.sink.body(buf.subarray(0, end));
    this.finish(end === buf.length);
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
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > MAX_HEAD) { this.fail('response head too large'); return; }
        this.pending = owned ? buf : Buffer.from(buf);
        return;
      }
      if (end > MAX_HEAD) { this.fail('response head too large'); return; }
      const parsed = this.parseHead(buf, end);
      buf = buf.subarray(end + 4);
      if (parsed === 'interim') continue;
      if (typeof parsed === 'string') { this.fail(parsed); return; }
      this.pending = null;
      this.head = parsed;
      this.sink.head(parsed);
      if (this.finished) return;
      if (parsed.framing === 'none') { this.finish(buf.length === 0); return; }
      if (buf.length > 0) this.body(buf);
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
