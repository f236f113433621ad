import type { Socket } from 'node:net';
import type { ForwardResult, UpstreamFailure } from '../../proxy/forward.js';
import { ResponseReader, type ResponseHead, type ResponseSink } from './response-reader.js';
import type { ConnOwner, ConnWaiter, UpstreamConn, UpstreamPool } from './upstream-pool.js';
import type { Abortable, ExchangeControl } from './connection.js';

/** What every exchange of a gateway shares (made once). */
export interface FastExchangeSettings {
  /** The gateway is shutting down. */
  draining(): boolean;
  nowMs(): number;
  /** No response head within this long: 504. The pool's connections carry it as their socket timeout. */
  headersTimeoutMs: number;
  /** Longest pause inside a response body before the exchange is cut. */
  bodyTimeoutMs: number;
}

/** One request. */
export interface FastExchangeRequest {
  method: string;
  /** The whole request head for the upstream, blank line included (latin1). */
  head: string;
  /** The client side of the exchange: `close` says whether the connection closes after this response (asked by the client, or draining); set here when the body is close-delimited or the exchange broke off. */
  reply: { close: boolean };
  /** Gets the exchange, which the connection aborts when the client goes away. */
  control: ExchangeControl;
}


const CONNECT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
/** A first body piece up to this size goes out in the same write as the head. */
const JOIN_LIMIT = 16 * 1024;

function failure(kind: UpstreamFailure['kind'], message: string, code?: string): UpstreamFailure {
  return { kind, error: Object.assign(new Error(message), code ? { code } : {}) };
}

/** What ends the client's head: the blank line, after `Connection: close` when the connection closes. */
const END_KEEP = '\r\n';
const END_CLOSE = 'Connection: close\r\n\r\n';

/** The client head (latin1, without its end), its end and `body` in one buffer: one write, one copy of each. */
function joined(head: string, end: string, body: Buffer): Buffer {
  const size = head.length + end.length;
  const out = Buffer.allocUnsafe(size + body.length);
  out.write(head, 0, 'latin1');
  out.write(end, head.length, 'latin1');
  body.copy(out, size);
  return out;
}

/** One exchange: the pool's waiter, the upstream connection's owner, the response reader's sink and the connection's abortable. */
class Exchange implements ConnWaiter, ConnOwner, ResponseSink, Abortable {
  readonly result: ForwardResult = { bytes: 0 };
  private conn: UpstreamConn | null = null;
  private done = false;
  private headSent = false;
  /** The client head not written yet (without its end): it goes out with the first body bytes of the same read. */
  private headText: string | null = null;
  private headEnd: string = END_KEEP;
  private readonly started: number;
  private readonly reader: ResponseReader;
  /** Made the first time the client's socket is full (most exchanges never need it). */
  private onDrain: (() => void) | null = null;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly client: Socket,
    private readonly o: FastExchangeSettings,
    private readonly rq: FastExchangeRequest,
    private readonly settled: (r: ForwardResult) => void,
  ) {
    this.started = o.nowMs();
    this.reader = new ResponseReader(rq.method, this, pool.headScan);
  }

  start(): void {
    this.rq.control.current = this;
    this.pool.acquire(this);
  }

  abort(): void {
    this.fail(failure('client_closed', 'client closed the connection', 'SHIELD_CLIENT_CLOSED'));
  }

  // --- ConnWaiter ---

  acquired(err: (Error & { code?: string }) | null, c?: UpstreamConn): void {
    if (this.done) { if (c) this.pool.release(c); return; }
    if (err || !c) {
      const e: Error & { code?: string } = err ?? new Error('no upstream connection');
      this.fail(CONNECT_CODES.has(e.code ?? '') ? { kind: 'connect', error: e } : { kind: 'protocol', error: e });
      return;
    }
    this.conn = c;
    c.owner = this;
    c.socket.write(this.rq.head, 'latin1');
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.settled(this.result);
  }

  private fail(f: UpstreamFailure): void {
    if (this.done) return;
    this.flushHead();
    if (this.conn) { this.pool.discard(this.conn); this.conn = null; }
    if (this.headSent) { this.result.aborted = true; this.rq.reply.close = true; this.client.destroy(); }
    else this.result.failure = f;
    this.finish();
  }

  private flushHead(): void {
    if (this.headText === null) return;
    this.client.write(this.headText + this.headEnd, 'latin1');
    this.headText = null;
  }

  // --- ResponseSink ---

  head(h: ResponseHead): void {
    const r = this.result;
    r.status = h.status;
    r.upstreamMs = this.o.nowMs() - this.started;
    const reply = this.rq.reply;
    if (h.framing === 'close' || this.o.draining()) reply.close = true;
    this.headSent = true;
    this.headText = h.text;
    this.headEnd = reply.close ? END_CLOSE : END_KEEP;
    if (this.o.bodyTimeoutMs !== this.o.headersTimeoutMs) this.conn!.socket.setTimeout(this.o.bodyTimeoutMs);
  }

  body(chunk: Buffer): void {
    this.result.bytes += chunk.length;
    let ok: boolean;
    if (this.headText !== null && chunk.length <= JOIN_LIMIT) {
      ok = this.client.write(joined(this.headText, this.headEnd, chunk));
      this.headText = null;
    } else {
      this.flushHead();
      // the chunk is a view of the upstream read buffer: the write gets its own copy
      ok = this.client.write(Buffer.from(chunk));
    }
    if (!ok) {
      this.conn!.socket.pause();
      this.client.once('drain', (this.onDrain ??= () => this.conn?.socket.resume()));
    }
  }

  end(reusable: boolean): void {
    if (this.done) return;
    this.flushHead();
    const c = this.conn!;
    this.conn = null;
    if (this.o.bodyTimeoutMs !== this.o.headersTimeoutMs) c.socket.setTimeout(this.o.headersTimeoutMs);
    if (reusable) this.pool.release(c); else this.pool.discard(c);
    this.finish();
  }

  error(message: string): void {
    this.fail(failure('protocol', `invalid response from the backend: ${message}`));
  }

  // --- ConnOwner ---

  onData(chunk: Buffer): void {
    this.reader.feed(chunk);
    this.flushHead();
  }

  onEof(): void {
    // closed before any answer: a keep-alive race or a backend going down; the caller may retry
    if (!this.reader.started) this.fail(failure('stale_socket', 'upstream closed the connection before answering', 'ECONNRESET'));
    else this.reader.eof();
  }

  onError(err: Error & { code?: string }): void {
    if (this.done) return;
    const stale = !this.reader.started && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
    this.fail(stale ? { kind: 'stale_socket', error: err } : { kind: 'protocol', error: err });
  }

  onTimeout(): void {
    if (this.headSent) this.fail(failure('protocol', `backend body idle for ${this.o.bodyTimeoutMs} ms`));
    else this.fail(failure('timeout', `no response from the backend within ${this.o.headersTimeoutMs} ms`, 'UND_ERR_HEADERS_TIMEOUT'));
  }
}

/**
 * One body-less request over a raw upstream connection, its response streamed to the client's
 * socket as it arrives (the head and the first body bytes in one write, the upstream paused while
 * the client's socket is full). Failures before anything reached the client are returned for the
 * caller to retry or answer (same kinds as `forward`); after that the client connection is cut.
 * `settled` is called once with the result, at once (the pool is closed) or later.
 */
export function fastForward(pool: UpstreamPool, client: Socket, o: FastExchangeSettings, rq: FastExchangeRequest, settled: (r: ForwardResult) => void): void {
  new Exchange(pool, client, o, rq, settled).start();
}
