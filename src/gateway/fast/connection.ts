import type { Socket } from 'node:net';
import { parseRequestHead, type FastHead, type HandOverReason } from './request-head.js';

/** The exchange in progress on a connection: the connection calls abort when the client goes away. */
export interface ExchangeControl {
  abort: (() => void) | null;
}

export interface FastConnectionOptions {
  maxHeaderBytes: number;
  maxHeaders: number;
  /** No byte either way for this long between requests: the connection is closed (keep-alive idle). */
  idleMs: number;
  /** Time for a request head to arrive once it started: 408 after. */
  headersMs: number;
  /**
   * Handles one request and calls `done` once when it is over (at once or later), with true when
   * the connection may carry another. It owns the socket's output until then.
   */
  request(head: FastHead, socket: Socket, control: ExchangeControl, done: (keep: boolean) => void): void;
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

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Serves a client connection on the gateway's fast path: request heads are cut from the byte
 * stream and parsed here, and each body-less request is handled by `request` without node:http.
 * The first request the fast path does not carry (a body, an upgrade, a malformed or oversized
 * head, the gateway's own routes, ...) hands the whole connection to node:http at that request
 * boundary, with the unread bytes put back, so that every such case gets node:http's handling.
 * Requests are answered one at a time in order (pipelined heads wait in the buffer).
 */
export function serveFastConnection(socket: Socket, o: FastConnectionOptions): FastConnection {
  let pending: Buffer | null = null;
  let busy = false;
  let gone = false;
  let headTimer: NodeJS.Timeout | null = null;
  const control: ExchangeControl = { abort: null };
  // the exchange's end, one function for the connection's life: `request` is on the stack while
  // `inRequest` (its answer is then taken up by the loop in next()), or it ended later
  let inRequest = false;
  let syncKeep: boolean | null = null;
  let askedClose = false;
  const exchangeDone = (keep: boolean): void => {
    if (inRequest) { if (syncKeep === null) syncKeep = keep; return; }
    if (!busy) return; // once per exchange
    if (after(keep, askedClose)) next();
  };

  const clearHeadTimer = () => { if (headTimer) { clearTimeout(headTimer); headTimer = null; } };
  // One socket timeout for the connection's life (Node refreshes it on every read and write).
  // During an exchange the upstream timeouts bound the wait; a partial head has its own timer.
  const idleTimeout = () => {
    if (busy || pending) return;
    socket.destroy();
  };

  function detach(): void {
    clearHeadTimer();
    socket.setTimeout(0);
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('timeout', idleTimeout);
    socket.removeListener('close', onClose);
    socket.removeListener('error', onError);
  }

  function handOver(reason: HandOverReason | 'head_too_large'): void {
    socket.pause();
    detach();
    const rest = pending;
    pending = null;
    if (rest) socket.unshift(rest);
    o.handOver(socket, reason);
    socket.resume();
  }

  function onData(chunk: Buffer): void {
    pending = pending ? Buffer.concat([pending, chunk]) : chunk;
    if (!busy) next();
    else if (pending.length > o.maxHeaderBytes * 4) socket.pause(); // pipelined heads pile up: wait
  }

  function onEnd(): void {
    // the client finished sending; answer what is in flight, then close
    if (!busy) socket.end();
  }
  function onClose(): void {
    gone = true;
    clearHeadTimer();
    control.abort?.();
  }
  function onError(): void {
    socket.destroy();
  }

  /** Handles the complete heads in the buffer one after the other (answers given at once loop here), then waits. */
  function next(): void {
    while (!gone) {
      const buf = pending;
      if (!buf) return;
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > o.maxHeaderBytes) { handOver('head_too_large'); return; }
        if (!headTimer) {
          headTimer = setTimeout(() => {
            headTimer = null;
            if (busy || gone || !pending) return;
            o.onTimeout('request_timeout');
            detach();
            socket.end(o.timeoutAnswer());
          }, o.headersMs);
        }
        return;
      }
      if (end > o.maxHeaderBytes) { handOver('head_too_large'); return; }
      // leading empty lines before a request line are allowed (RFC 9112 §2.2)
      let start = 0;
      while (start + 1 < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
      const head = parseRequestHead(buf.toString('latin1', start, end), o.maxHeaders);
      if (typeof head === 'string') { handOver(head); return; }
      clearHeadTimer();
      pending = end + 4 < buf.length ? buf.subarray(end + 4) : null;
      busy = true;
      askedClose = head.close;
      syncKeep = null;
      inRequest = true;
      try {
        o.request(head, socket, control, exchangeDone);
      } catch (err) {
        inRequest = false;
        busy = false;
        o.onFailure(err);
        socket.destroy();
        return;
      }
      inRequest = false;
      if (syncKeep === null) return; // answered later: exchangeDone goes on
      if (!after(syncKeep, askedClose)) return;
    }
  }

  /** The exchange is over: true when the connection goes on to the next request. */
  function after(keep: boolean, askedClose: boolean): boolean {
    busy = false;
    control.abort = null;
    if (gone) return false;
    if (!keep || askedClose || o.closing() || socket.readableEnded) { detach(); socket.end(); return false; }
    if (socket.isPaused()) socket.resume();
    return true;
  }

  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('timeout', idleTimeout);
  socket.on('close', onClose);
  socket.on('error', onError);
  socket.setTimeout(o.idleMs);

  return {
    endIfIdle() {
      if (!busy && !gone && !pending) { detach(); socket.end(); }
    },
  };
}
