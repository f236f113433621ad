import { connectionTokens, isHopByHop } from '../../proxy/headers.js';
import { BAD_BYTES } from './request-head.js';

/** How the end of a response body is found. */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Field lines for the client (`Name: value\r\n` each): hop-by-hop ones removed, Transfer-Encoding: chunked kept when the body is chunked. */
  fields: string;
  framing: Framing;
  /** The upstream connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ResponseSink {
  head(h: ResponseHead): void;
  /** Raw body bytes as they go to the client (chunked framing included). */
  body(chunk: Buffer): void;
  /** The response is complete; `reusable` is false when the upstream connection must not be reused. */
  end(reusable: boolean): void;
  error(message: string): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

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

  private parseHead(text: string): ResponseHead | 'interim' | string {
    // the head goes to the client line by line: a stray CR, LF or control byte would split it
    if (BAD_BYTES.test(text)) return 'control character or bare CR/LF in the response head';
    const lineEnd = text.indexOf('\r\n');
    const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
    const m = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/.exec(line);
    if (!m) return `malformed status line ${JSON.stringify(line.slice(0, 80))}`;
    const status = Number(m[2]);
    if (status === 101) return 'unexpected 101 Switching Protocols';
    if (status < 200) return 'interim';
    let keepAlive = m[1] === '1';
    let length = -1;
    let chunked = false;
    let te = false;
    // field lines as received (name and trimmed value), each with its lower-case name for the filter
    const lines: string[] = [];
    let named: Set<string> | null = null;
    let at = lineEnd < 0 ? text.length : lineEnd + 2;
    while (at < text.length) {
      let end = text.indexOf('\r\n', at);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', at);
      if (colon <= at || colon > end) return 'malformed header line';
      const name = text.slice(at, colon);
      const value = text.slice(colon + 1, end).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length >= 0 && Number(value) !== length)) return `bad Content-Length ${JSON.stringify(value)}`;
        length = Number(value);
      } else if (lower === 'transfer-encoding') {
        te = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
        const t = connectionTokens(value);
        if (t) { named ??= new Set(); for (const x of t) named.add(x); }
      }
      lines.push(lower, name, value);
      at = end + 2;
    }
    let framing: Framing;
    if (this.requestMethod === 'HEAD' || status === 204 || status === 304) framing = 'none';
    else if (te) framing = chunked ? 'chunked' : 'close';
    else if (length >= 0) framing = length === 0 ? 'none' : 'length';
    else framing = 'close';
    if (framing === 'close') keepAlive = false;
    let fields = '';
    for (let i = 0; i < lines.length; i += 3) {
      const lower = lines[i]!;
      if (isHopByHop(lower) || (named !== null && named.has(lower))) continue;
      if (lower === 'content-length' && te) continue; // Transfer-Encoding wins (RFC 9112 §6.3)
      fields += `${lines[i + 1]!}: ${lines[i + 2]!}\r\n`;
    }
    if (framing === 'chunked') fields += 'Transfer-Encoding: chunked\r\n';
    this.remaining = framing === 'length' ? length : 0;
    return { status, statusText: m[3] ?? '', fields, framing, keepAlive };
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

  /** Bytes from the upstream socket. */
  feed(chunk: Buffer): void {
    if (this.finished) return;
    this.started = true;
    if (this.head) { this.body(chunk); return; }
    let buf: Buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > MAX_HEAD) { this.fail('response head too large'); return; }
        this.pending = buf;
        return;
      }
      const parsed = this.parseHead(buf.toString('latin1', 0, end));
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
