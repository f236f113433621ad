import type { Socket } from 'node:net';
import { parseRequestHead, type FastHead, type HandOverReason } from './request-head.js';
import { disown, own, type SocketOwner } from '../socket-owner.js';
import { headEnd, latin1Of, scanOf } from './head-text.js';
import { forwardedMemo, type ForwardedMemo } from '../../proxy/headers.js';

/** What the connection can do to the exchange it carries: abort it when the client goes away. */
export interface Abortable {
  abort(): void;
}

/** The exchange in progress on a connection (an object, not a callback made per request). */
export interface ExchangeControl {
  current: Abortable | null;
}

/** A client connection as the exchange it carries sees it. */
export interface FastClient extends ExchangeControl {
  readonly socket: Socket;
  /** The peer's address as the gateway gave it for this connection. */
  readonly peer: string;
  /** The X-Forwarded-* fields of the last head this connection sent upstream (proxy/headers.ts). */
  readonly forwarded: ForwardedMemo;
  /**
   * The exchange is over (called once, at once or later): `keep` says whether the connection
   * may carry another request. Until then the exchange owns the socket's output.
   */
  done(keep: boolean): void;
}

/** What every connection of a gateway shares (made once, not per connection). */
export interface FastConnectionOptions {
  maxHeaderBytes: number;
  maxHeaders: number;
  /** No byte either way for this long between requests: the connection is closed (keep-alive idle). */
  idleMs: number;
  /** Time for a request head to arrive once it started: 408 after. */
  headersMs: number;
  /** Handles one request and calls `client.done` once when it is over. */
  request(head: FastHead, client: FastClient): void;
  /** `request` threw: the connection is cut (the gateway logs and counts it). */
  onFailure(err: unknown): void;
  /** Gives the connection to node:http: everything not yet handled has been put back on the socket. */
  handOver(socket: Socket, reason: HandOverReason | 'head_too_large'): void;
  /** The gateway is shutting down: idle connections end, the others after their exchange. */
  closing(): boolean;
  /** A request head that took longer than headersMs (answered 408 here). */
  onTimeout(kind: 'request_timeout'): void;
  /** The 408 answer written on a head timeout. */
  timeoutAnswer(): string;
}

export interface FastConnection {
  /** Ends the connection now if it is idle between requests (shutdown). */
  endIfIdle(): void;
}

const LF2 = Buffer.from('\n\n');
/** How many bytes of the buffer are copied into a string to find the end of a head in (heads are mostly below 1 KB; pipelined ones each copy this much at most). */
const SCAN = 2048;
// a shared timer callback (the connection is its argument), as the socket listeners are shared (socket-owner.ts)
function onHeadTimeout(c: Conn): void { c.headTimeout(); }

/** One client connection on the fast path (see serveFastConnection). */
class Conn implements FastClient, FastConnection, SocketOwner {
  current: Abortable | null = null;
  readonly forwarded = forwardedMemo();
  private pending: Buffer | null = null;
  private busy = false;
  private gone = false;
  private headTimer: NodeJS.Timeout | null = null;
  // `request` is on the stack while inRequest: an answer given at once is taken up by the loop in next()
  private inRequest = false;
  private syncKeep: boolean | null = null;
  private askedClose = false;

  constructor(readonly socket: Socket, private readonly o: FastConnectionOptions, readonly peer: string) {}

  done(keep: boolean): void {
    if (this.inRequest) { if (this.syncKeep === null) this.syncKeep = keep; return; }
    if (!this.busy) return; // once per exchange
    if (this.after(keep)) this.next();
  }

  endIfIdle(): void {
    if (!this.busy && !this.gone && !this.pending) { this.detach(); this.socket.end(); }
  }

  data(chunk: Buffer): void {
    const p = this.pending;
    const buf = p ? Buffer.concat([p, chunk]) : chunk;
    this.pending = buf;
    if (!this.busy) this.next();
    else if (buf.length > this.o.maxHeaderBytes * 4) this.socket.pause(); // pipelined heads pile up: wait
  }

  end(): void {
    // the client finished sending; answer what is in flight, then close
    if (!this.busy) this.socket.end();
  }

  closed(): void {
    this.gone = true;
    this.clearHeadTimer();
    this.current?.abort();
  }

  idle(): void {
    // during an exchange the upstream timeouts bound the wait; a partial head has its own timer
    if (this.busy || this.pending) return;
    this.socket.destroy();
  }

  headTimeout(): void {
    this.headTimer = null;
    if (this.busy || this.gone || !this.pending) return;
    this.o.onTimeout('request_timeout');
    this.detach();
    this.socket.end(this.o.timeoutAnswer());
  }

  private clearHeadTimer(): void {
    if (this.headTimer) { clearTimeout(this.headTimer); this.headTimer = null; }
  }

  private detach(): void {
    this.clearHeadTimer();
    disown(this.socket);
  }

  private handOver(reason: HandOverReason | 'head_too_large'): void {
    const s = this.socket;
    s.pause();
    this.detach();
    const rest = this.pending;
    this.pending = null;
    if (rest) s.unshift(rest);
    this.o.handOver(s, reason);
    s.resume();
  }

  /** Handles the complete heads in the buffer one after the other (answers given at once loop here), then waits. */
  private next(): void {
    const o = this.o;
    while (!this.gone) {
      const buf = this.pending;
      if (!buf) return;
      const scan = scanOf(buf, SCAN);
      const end = headEnd(buf, scan);
      if (end < 0) {
        if (buf.length > o.maxHeaderBytes) { this.handOver('head_too_large'); return; }
        // a head ended by bare LFs would wait for a CRLF pair forever: node:http answers it 400 at once
        if (buf.indexOf(LF2) >= 0) { this.handOver('malformed'); return; }
        if (!this.headTimer) this.headTimer = setTimeout(onHeadTimeout, o.headersMs, this);
        return;
      }
      if (end > o.maxHeaderBytes) { this.handOver('head_too_large'); return; }
      // leading empty lines before a request line are allowed (RFC 9112 §2.2)
      let start = 0;
      while (start + 1 < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
      const head = parseRequestHead(latin1Of(buf, scan, start, end), o.maxHeaders);
      if (typeof head === 'string') { this.handOver(head); return; }
      head.socket = this.socket;
      this.clearHeadTimer();
      this.pending = end + 4 < buf.length ? buf.subarray(end + 4) : null;
      this.busy = true;
      this.askedClose = head.close;
      this.syncKeep = null;
      this.inRequest = true;
      try {
        o.request(head, this);
      } catch (err) {
        this.inRequest = false;
        this.busy = false;
        o.onFailure(err);
        this.socket.destroy();
        return;
      }
      this.inRequest = false;
      if (this.syncKeep === null) return; // answered later: done() goes on
      if (!this.after(this.syncKeep)) return;
    }
  }

  /** The exchange is over: true when the connection goes on to the next request. */
  private after(keep: boolean): boolean {
    this.busy = false;
    this.current = null;
    if (this.gone) return false;
    const s = this.socket;
    if (!keep || this.askedClose || this.o.closing() || s.readableEnded) { this.detach(); s.end(); return false; }
    if (s.isPaused()) s.resume();
    return true;
  }
}

/**
 * Serves a client connection on the gateway's fast path: request heads are cut from the byte
 * stream and parsed here, and each body-less request is handled by `request` without node:http.
 * The first request the fast path does not carry (a body, an upgrade, a malformed or oversized
 * head, the gateway's own routes, ...) hands the whole connection to node:http at that request
 * boundary, with the unread bytes put back, so that every such case gets node:http's handling.
 * Requests are answered one at a time in order (pipelined heads wait in the buffer).
 * `o` is shared by every connection; `peer` is this one's client address as the caller knows it.
 */
export function serveFastConnection(socket: Socket, o: FastConnectionOptions, peer = ''): FastConnection {
  const c = new Conn(socket, o, peer);
  own(socket, c, o.idleMs);
  return c;
}
