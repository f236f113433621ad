import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { METRIC } from '../metrics.js';

export interface ConnectionGuardOptions {
  /** Open connections allowed per client address; the next one is closed at once. */
  maxConnsPerClient: number;
  /** A request's headers must arrive at least this fast (bytes/s) once the grace period is over (slowloris). */
  headerMinBytesPerSec: number;
  /** A request body must arrive at least this fast (bytes/s) once the grace period is over (slow POST, R.U.D.Y.). */
  bodyMinBytesPerSec: number;
  /** A response the client stops reading (nothing flushed while data waits) is cut after this long (slow read). */
  stalledReadTimeoutMs: number;
  /** Rates are judged only after this long in a phase (ms). */
  graceMs?: number;
  /** Shadow mode: count and log what would be closed, close nothing. */
  shadow?: boolean;
  /** How often connections are checked (ms). */
  sweepMs?: number;
  /**
   * A client's first connection closed for a reason is logged at once; the next ones for the same
   * reason within this window are counted and logged as one line when it ends, so that a flood
   * of connections does not become a flood of log lines (ms, default 10 s).
   */
  logWindowMs?: number;
  clock: Clock;
  registry: Registry;
  logger: Logger;
}

/** Clients (per reason) whose drops are logged one window at a time; beyond, drops are only counted. */
const MAX_LOG_WINDOWS = 10_000;

type Phase = 'headers' | 'idle' | 'body' | 'response';
interface Conn { socket: Socket; ip: string; phase: Phase; since: number; bytesAt: number; flushedAt: number; flushedSince: number; req?: IncomingMessage; flagged?: boolean }

export type SlowReason = 'conn-cap' | 'slow-headers' | 'slow-body' | 'stalled-read';

export interface ConnectionGuard {
  /** From the server's 'connection' event (ip = socket.remoteAddress). May destroy the socket. */
  onConnection(socket: Socket, ip: string): void;
  /** From the request handler, for every request: its headers are complete; follows the body and the response. */
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  /** A request on a connection served without node:http: its response starts, or it ended ('idle'). */
  onExchange(socket: Socket, phase: 'response' | 'idle'): void;
  stats(): { connections: number; clients: number; dropped: Record<SlowReason, number> };
  close(): void;
}

/**
 * Per-client connection cap and minimum transfer rates, judged from the socket's own byte
 * counters (the request stream is never read here, so proxying is untouched). A sweep every
 * second ends connections that send headers or bodies too slowly or stop reading a response;
 * Node's own headersTimeout is checked only every 30 s, which lets slowloris hold sockets long.
 */
export function createConnectionGuard(o: ConnectionGuardOptions): ConnectionGuard {
  const log = o.logger.child({ component: 'slow-guard' });
  const grace = o.graceMs ?? 5000;
  const perIp = new Map<string, number>();
  const conns = new Map<Socket, Conn>();
  const dropped: Record<SlowReason, number> = { 'conn-cap': 0, 'slow-headers': 0, 'slow-body': 0, 'stalled-read': 0 };
  const counter = new Counter({ name: METRIC.slowDropped, help: 'Connections closed by the slow-attack guard, by reason', labelNames: ['reason'] as const, registers: [o.registry] });
  new Gauge({ name: 'ddos_shield_slow_guard_connections', help: 'Open connections watched by the slow-attack guard', registers: [o.registry], collect() { this.set(conns.size); } });
  const now = () => o.clock.monotonic();

  const logWindowMs = o.logWindowMs ?? 10_000;
  /** Per client and reason: when its log window opened and the drops not logged since. */
  const logWindows = new Map<string, { ip: string; reason: SlowReason; since: number; more: number }>();
  let unlogged = 0; // drops not logged because the table of windows was full

  function logDrop(ip: string, reason: SlowReason, phase: Phase | undefined): void {
    const key = `${reason} ${ip}`;
    const w = logWindows.get(key);
    if (w) { w.more++; return; }
    if (logWindows.size >= MAX_LOG_WINDOWS) { unlogged++; return; }
    logWindows.set(key, { ip, reason, since: now(), more: 0 });
    if (o.shadow) log.info({ client: ip, reason, phase, shadow: true }, 'slow-attack guard would close this connection (shadow mode)');
    else log.info({ client: ip, reason, phase }, 'connection closed by slow-attack guard');
  }

  /** Ends the log windows that are over: one line for each with drops not logged yet. */
  function flushLogWindows(t: number): void {
    for (const [key, w] of logWindows) {
      if (t - w.since < logWindowMs) continue;
      if (w.more === 0) { logWindows.delete(key); continue; }
      const fields = { client: w.ip, reason: w.reason, connections: w.more, windowMs: Math.round(t - w.since), ...(o.shadow ? { shadow: true } : {}) };
      log.info(fields, o.shadow ? 'slow-attack guard would have closed more connections of this client (shadow mode)' : 'slow-attack guard closed more connections of this client');
      w.more = 0;
      w.since = t;
    }
    if (unlogged > 0) {
      log.warn({ connections: unlogged, clients: MAX_LOG_WINDOWS }, 'slow-attack guard: connections of further clients closed without a log line (see the dropped metric)');
      unlogged = 0;
    }
  }

  function drop(c: Conn | undefined, socket: Socket, ip: string, reason: SlowReason): void {
    if (o.shadow) {
      // counted once per connection; the connection stays open
      if (c?.flagged) return;
      if (c) c.flagged = true;
    }
    dropped[reason]++;
    counter.inc({ reason });
    logDrop(ip, reason, c?.phase);
    if (!o.shadow) socket.destroy();
  }

  function enter(c: Conn, phase: Phase): void {
    c.phase = phase;
    // a response is timed from the sweep that first sees it, by the bytes flushed since (socket.bytesWritten walks the write queue)
    c.flushedAt = -1;
    if (phase === 'response') return;
    // idle waits for the next byte; headers and body are timed from here (called for every request: no clock read it does not need)
    c.bytesAt = c.socket.bytesRead;
    if (phase !== 'idle') c.since = now();
  }

  function sweep(): void {
    const t = now();
    if (logWindows.size > 0 || unlogged > 0) flushLogWindows(t);
    for (const c of conns.values()) {
      const s = c.socket;
      if (s.destroyed) continue;
      if (c.phase === 'idle') {
        // Keep-alive between requests: the clock starts with the first byte of the next request.
        if (s.bytesRead > c.bytesAt) enter(c, 'headers');
        continue;
      }
      const elapsed = t - c.since;
      if (c.phase === 'headers' || c.phase === 'body') {
        if (elapsed < grace) continue;
        const rate = ((s.bytesRead - c.bytesAt) * 1000) / elapsed;
        const min = c.phase === 'headers' ? o.headerMinBytesPerSec : o.bodyMinBytesPerSec;
        if (rate < min) drop(c, s, c.ip, c.phase === 'headers' ? 'slow-headers' : 'slow-body');
        continue;
      }
      // response: the client must keep taking what is waiting for it.
      const flushed = s.bytesWritten - s.writableLength;
      if (c.flushedAt < 0 || flushed > c.flushedAt || s.writableLength === 0) { c.flushedAt = flushed; c.flushedSince = t; continue; }
      if (t - c.flushedSince >= o.stalledReadTimeoutMs) drop(c, s, c.ip, 'stalled-read');
    }
  }
  // one listener for every connection (the socket is `this`): no closure per connection
  function onClose(this: Socket): void {
    const c = conns.get(this);
    if (!c) return;
    conns.delete(this);
    const left = (perIp.get(c.ip) ?? 1) - 1;
    if (left <= 0) perIp.delete(c.ip); else perIp.set(c.ip, left);
  }

  const timer = setInterval(sweep, o.sweepMs ?? 1000);
  timer.unref();

  return {
    onConnection(socket, ip) {
      const n = (perIp.get(ip) ?? 0) + 1;
      if (n > o.maxConnsPerClient) {
        // in shadow mode the client's connections stay open and keep counting
        drop(undefined, socket, ip, 'conn-cap');
        if (!o.shadow) return;
      }
      perIp.set(ip, n);
      const c: Conn = { socket, ip, phase: 'headers', since: 0, bytesAt: 0, flushedAt: 0, flushedSince: 0 };
      enter(c, 'headers');
      c.bytesAt = 0; // the whole first request counts from the connection's start
      conns.set(socket, c);
      socket.on('close', onClose);
    },
    onRequest(req, res) {
      const c = conns.get(req.socket);
      if (!c) return;
      c.req = req;
      const hasBody = !req.complete && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
      enter(c, hasBody ? 'body' : 'response');
      if (hasBody) req.once('end', () => { if (c.req === req && c.phase === 'body') enter(c, 'response'); });
      res.once('finish', () => { if (c.req === req) enter(c, 'idle'); });
    },
    onExchange(socket, phase) {
      const c = conns.get(socket);
      if (c) enter(c, phase);
    },
    stats: () => ({ connections: conns.size, clients: perIp.size, dropped: { ...dropped } }),
    close() { clearInterval(timer); conns.clear(); perIp.clear(); },
  };
}
