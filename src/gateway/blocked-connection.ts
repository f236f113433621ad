import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Clock } from '../core/clock.js';
import { acceptsHtml, type RawAnswer } from './respond.js';
import { own, type SocketOwner } from './socket-owner.js';

/** One request answered on a blocked client's connection. */
export interface BlockedRequest {
  method: string;
  url: string;
  userAgent: string | undefined;
  /** Wall-clock ms when its head was complete. */
  receivedAt: number;
  /** Monotonic ms when its head was complete. */
  startedAt: number;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** The request asked for a protocol upgrade (WebSocket). */
  upgrade: boolean;
}

/** What every blocked connection of a gateway shares (made once, not per connection). */
export interface BlockedConnectionOptions {
  clock: Clock;
  /** A request head larger than this gets 431 and the connection is closed. */
  maxHeaderBytes: number;
  /** An idle keep-alive connection is closed after this long. */
  idleMs: number;
  /** After a closing answer, input is read and dropped this long before the connection is cut. */
  lingerMs: number;
  status: number;
  /** One whole answer (a fresh reference id each time) for a block that lasts until `until` (wall-clock ms). */
  answer(until: number, html: boolean, head: boolean, close: boolean, nowMs: number): RawAnswer;
  /** True while the gateway shuts down: every answer closes its connection. */
  closing(): boolean;
  onAnswered(peer: string, r: BlockedRequest): void;
  /** A connection refused for a malformed or oversized request head, by reason. */
  onRefused(reason: 'bad_request' | 'headers_too_large'): void;
}

interface Head {
  method: string;
  url: string;
  keepAlive: boolean;
  hasBody: boolean;
  html: boolean;
  upgrade: boolean;
  userAgent: string | undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Parses one request head (latin1, without the final blank line); null when malformed. */
export function parseHead(text: string): Head | null {
  const lineEnd = text.indexOf('\r\n');
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1 + 1) return null;
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return null;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method) || url.includes(' ')) return null;
  let keepAlive = version === 'HTTP/1.1';
  let hasBody = false;
  let html = false;
  let upgrade = false;
  let userAgent: string | undefined;
  let at = lineEnd < 0 ? text.length : lineEnd + 2;
  while (at < text.length) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon < 0 || colon > end) return null;
    const name = text.slice(at, colon).toLowerCase();
    if (name.length === 0 || name !== name.trim()) return null;
    switch (name) {
      case 'content-length': {
        const v = text.slice(colon + 1, end).trim();
        if (!/^\d+$/.test(v)) return null;
        if (v !== '0' && !/^0+$/.test(v)) hasBody = true;
        break;
      }
      case 'transfer-encoding': hasBody = true; break;
      case 'connection': {
        const v = text.slice(colon + 1, end).toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
        break;
      }
      case 'accept': html = acceptsHtml(text.slice(colon + 1, end)); break;
      case 'upgrade': upgrade = true; break;
      case 'user-agent': userAgent = text.slice(colon + 1, end).trim(); break;
    }
    at = end + 2;
  }
  return { method, url, keepAlive, hasBody, html, upgrade, userAgent };
}

function onDrain(this: Socket): void { this.resume(); }
function cut(socket: Socket): void { socket.destroy(); }

class BlockedConn implements SocketOwner {
  private pending: Buffer | null = null;
  private ended = false;
  private linger: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly o: BlockedConnectionOptions,
    private readonly peer: string,
    private readonly block: { readonly expiresAt: number },
  ) {}

  idle(): void {
    this.socket.destroy();
  }

  closed(): void {
    if (this.linger) { clearTimeout(this.linger); this.linger = null; }
  }

  end(): void {
    if (!this.ended) this.finish('');
    else this.socket.destroy();
  }

  private finish(last: string): void {
    this.ended = true;
    this.pending = null;
    const s = this.socket;
    s.setTimeout(0);
    s.end(last);
    this.linger = setTimeout(cut, this.o.lingerMs, s);
    this.linger.unref();
  }

  private refuse(status: 400 | 431, reason: 'bad_request' | 'headers_too_large', out: string): void {
    this.o.onRefused(reason);
    const body = JSON.stringify({ error: STATUS_CODES[status], action: 'error', reason });
    this.finish(`${out}HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\nCache-Control: no-store\r\nx-shield-action: error\r\n\r\n${body}`);
  }

  data(chunk: Buffer): void {
    if (this.ended) return;
    const o = this.o;
    let buf: Buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let out = '';
    for (;;) {
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > o.maxHeaderBytes) { this.refuse(431, 'headers_too_large', out); return; }
        break;
      }
      if (end > o.maxHeaderBytes) { this.refuse(431, 'headers_too_large', out); return; }
      // leading empty lines before a request line are allowed (RFC 9112 §2.2)
      let start = 0;
      while (start + 1 < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
      const head = parseHead(buf.toString('latin1', start, end));
      if (!head) { this.refuse(400, 'bad_request', out); return; }
      buf = buf.subarray(end + 4);
      const now = o.clock.now();
      const close = !head.keepAlive || head.hasBody || head.upgrade || o.closing();
      const answer = o.answer(this.block.expiresAt, head.html, head.method === 'HEAD', close, now);
      out += answer.text;
      o.onAnswered(this.peer, { method: head.method, url: head.url, userAgent: head.userAgent, receivedAt: now, startedAt: o.clock.monotonic(), status: o.status, bytes: answer.bodyBytes, upgrade: head.upgrade });
      if (close) { this.finish(out); return; }
    }
    this.pending = buf.length > 0 ? buf : null;
    if (out.length > 0 && !this.socket.write(out)) {
      // a client that sends without reading: stop reading until it catches up
      this.socket.pause();
      this.socket.once('drain', onDrain);
    }
  }
}

/**
 * Answers every request on a connection from a blocked client without the HTTP server: the
 * request heads are cut from the byte stream and each gets the gateway's block answer, with
 * keep-alive as the client asked. No request object, no parser, no routing: refusing costs as
 * little as it can. A request with a body gets its answer and the connection closes (the rest of
 * the body is read and dropped for `lingerMs`, so that the answer is not lost to a reset).
 * `o` is shared by every blocked connection of a gateway; `block` is the client's blocklist
 * entry, read at each answer.
 */
export function serveBlockedConnection(socket: Socket, o: BlockedConnectionOptions, peer: string, block: { readonly expiresAt: number }): void {
  own(socket, new BlockedConn(socket, o, peer, block), o.idleMs);
}
