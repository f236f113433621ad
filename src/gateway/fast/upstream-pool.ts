import { connect, type Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { headScan, type HeadScan } from './response-reader.js';

/** What an exchange in progress hears from its upstream connection. */
export interface ConnOwner {
  /**
   * Bytes read. `chunk` is a view of the pool's read buffer, valid only during the call: the next
   * read on any upstream connection overwrites it, so whatever is kept must be copied.
   */
  onData(chunk: Buffer): void;
  onEof(): void;
  onError(err: Error & { code?: string }): void;
  /** No byte for the pool's socket timeout (the exchange's response head timeout). */
  onTimeout(): void;
}

/** One keep-alive connection to a backend; its listeners stay for its life and report to the current owner. */
export interface UpstreamConn {
  readonly socket: Socket;
  /** It carried an exchange before (a failure before any answer may be a keep-alive race). */
  reused: boolean;
  owner: ConnOwner | null;
  idleSince: number;
  /**
   * Connected, and neither ended, failed nor destroyed: it may carry an exchange. Kept by the
   * pool's own listeners, so that handing a connection out reads a field instead of the socket's
   * `destroyed` and `readyState` getters (which cost V8 a megamorphic lookup each).
   */
  usable: boolean;
}

export interface UpstreamPoolOptions {
  host: string;
  port: number;
  /** Connections open at most; further exchanges wait for one. */
  maxConnections: number;
  /**
   * Connection attempts in flight at most. An exchange that finds no idle connection waits for
   * the first one free: one released by another exchange or a new one, so that a burst of
   * requests after a stall opens a few connections instead of one each.
   */
  maxConnecting: number;
  /** An idle connection is closed after this long (keep it below the backend's own idle timeout). */
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  /** Socket inactivity timeout of every connection, reported to the owner (set once: no timer work per exchange). */
  socketTimeoutMs: number;
  clock: Clock;
}

/** What waits for a connection (an object, so that an exchange is its own waiter and no callback is made per request). */
export interface ConnWaiter {
  acquired(err: (Error & { code?: string }) | null, conn?: UpstreamConn): void;
}

export interface UpstreamPool {
  /** A connection for one exchange: an idle one (most recently used first), else the first one free, released by another exchange or newly opened. */
  acquire(w: ConnWaiter): void;
  /** The exchange ended cleanly: the connection goes back to the idle list. */
  release(conn: UpstreamConn): void;
  /** The connection cannot be reused: it is closed. */
  discard(conn: UpstreamConn): void;
  readonly size: { open: number; idle: number; waiting: number; connecting: number };
  /** How much of a read the response readers of this backend copy to find the end of a head in. */
  readonly headScan: HeadScan;
  close(): void;
}

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Raw keep-alive TCP connections to one plain-HTTP backend for the gateway's fast path. No
 * request objects: the exchange writes the request head itself and parses the response itself.
 */
export function createUpstreamPool(o: UpstreamPoolOptions): UpstreamPool {
  // One read buffer for all the pool's connections (net's onread): no buffer allocated per read,
  // no stream machinery between the socket and the response parser.
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const idle: UpstreamConn[] = [];
  const waiting: ConnWaiter[] = [];
  let open = 0;
  let connecting = 0;
  let closed = false;
  const sweepMs = Math.max(250, Math.min(1_000, o.keepAliveTimeoutMs >> 2));
  // idle connections are closed a sweep early so that none is handed out just as the backend closes it
  const maxIdleMs = Math.max(1, o.keepAliveTimeoutMs - sweepMs);

  const sweep = setInterval(() => {
    const now = o.clock.monotonic();
    for (let i = idle.length - 1; i >= 0; i--) {
      const c = idle[i]!;
      if (now - c.idleSince >= maxIdleMs) { idle.splice(i, 1); kill(c); }
    }
  }, sweepMs);
  sweep.unref();

  function kill(c: UpstreamConn): void {
    c.usable = false;
    c.socket.destroy();
  }

  function removeIdle(c: UpstreamConn): void {
    const i = idle.lastIndexOf(c);
    if (i >= 0) idle.splice(i, 1);
  }

  /** A connection free for an exchange: to the longest waiting one, else to the idle list. */
  function handOut(conn: UpstreamConn): void {
    if (closed) { kill(conn); return; }
    const w = waiting.shift();
    if (w) { w.acquired(null, conn); return; }
    conn.idleSince = o.clock.monotonic();
    idle.push(conn);
  }

  /**
   * A connection attempt failed. The longest waiting exchange gets the error, and so does every
   * waiting exchange that the attempts still in flight and the connections now busy cannot
   * serve: when the backend is down, they all fail at once (and may be retried elsewhere)
   * rather than one per attempt.
   */
  function failWaiting(err: Error & { code?: string }): void {
    const first = waiting.shift();
    const busy = Math.max(0, open - connecting - idle.length - 1); // the failed attempt still counts as open
    const keep = connecting + busy;
    const excess = waiting.length > keep ? waiting.splice(keep) : [];
    first?.acquired(err);
    for (const w of excess) w.acquired(err);
  }

  /** Opens connections for the waiting exchanges, a few at a time. */
  function grow(): void {
    while (!closed && waiting.length > connecting && connecting < o.maxConnecting && open < o.maxConnections) openConn();
  }

  function openConn(): void {
    open++;
    connecting++;
    const socket = connect({
      host: o.host, port: o.port, noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (conn.owner) conn.owner.onData((buf as Buffer).subarray(0, n));
          else kill(conn); // bytes nobody asked for: the connection is out of step
          return true;
        },
      },
    });
    const conn: UpstreamConn = { socket, reused: false, owner: null, idleSince: 0, usable: false };
    let connected = false;
    let attempting = true; // counted in `connecting`, with its timer, until it connects or fails
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`connect to ${o.host}:${o.port} timed out after ${o.connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' }));
    }, o.connectTimeoutMs);
    const attemptOver = (): void => {
      if (!attempting) return;
      attempting = false;
      connecting--;
      clearTimeout(timer);
    };
    socket.once('connect', () => {
      connected = true;
      conn.usable = true;
      attemptOver();
      handOut(conn);
    });
    socket.on('end', () => {
      conn.usable = false;
      if (conn.owner) conn.owner.onEof(); else socket.destroy();
    });
    socket.setTimeout(o.socketTimeoutMs);
    socket.on('timeout', () => conn.owner?.onTimeout());
    socket.on('error', (err: Error & { code?: string }) => {
      conn.usable = false;
      if (!connected) { attemptOver(); failWaiting(err); return; }
      conn.owner?.onError(err);
    });
    socket.once('close', () => {
      conn.usable = false;
      attemptOver();
      open--;
      removeIdle(conn);
      const owner = conn.owner;
      conn.owner = null;
      if (connected) owner?.onError(Object.assign(new Error('upstream connection closed'), { code: 'ECONNRESET' }));
      grow();
    });
  }

  return {
    headScan: headScan(),
    acquire(w) {
      if (closed) { w.acquired(Object.assign(new Error('upstream pool closed'), { code: 'ECONNREFUSED' })); return; }
      const now = o.clock.monotonic();
      while (idle.length > 0) {
        const c = idle.pop()!;
        if (!c.usable || now - c.idleSince >= maxIdleMs) { kill(c); continue; }
        c.reused = true;
        w.acquired(null, c);
        return;
      }
      waiting.push(w);
      grow();
    },
    release(conn) {
      conn.owner = null;
      if (closed || !conn.usable) { kill(conn); return; }
      conn.reused = true;
      handOut(conn);
    },
    discard(conn) {
      conn.owner = null;
      kill(conn);
    },
    get size() { return { open, idle: idle.length, waiting: waiting.length, connecting }; },
    close() {
      closed = true;
      clearInterval(sweep);
      for (const c of idle.splice(0)) kill(c);
      for (const w of waiting.splice(0)) w.acquired(Object.assign(new Error('upstream pool closed'), { code: 'ECONNREFUSED' }));
    },
  };
}
