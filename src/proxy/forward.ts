import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { downstreamResponseHeaders } from './headers.js';

/** Why an upstream exchange failed, as the gateway reports it. */
export type UpstreamFailure =
  | { kind: 'connect'; error: Error }        // never reached the backend: refused, unreachable, connect timeout
  | { kind: 'stale_socket'; error: Error }   // a reused keep-alive socket closed before any answer
  | { kind: 'timeout'; error: Error }        // no response headers in time
  | { kind: 'body_too_large'; error: Error } // the client's body passed the limit
  | { kind: 'client_closed'; error: Error }
  | { kind: 'protocol'; error: Error };      // anything else before the response started

export interface ForwardResult {
  /** Set when the response was sent (fully or until an error after the head). */
  status?: number;
  bytes: number;
  /** Time to response headers, ms. */
  upstreamMs?: number;
  /** Set when the exchange failed before any response byte reached the client. */
  failure?: UpstreamFailure;
  /** The response started but broke off (client or backend). */
  aborted?: boolean;
}

export class BodyTooLargeError extends Error {
  readonly code = 'SHIELD_BODY_TOO_LARGE';
  constructor(limit: number) { super(`request body exceeds ${limit} bytes`); }
}

/** Passes the body through, failing once more than `limit` bytes have gone by (for bodies of unknown length). */
export function limitBody(body: Readable, limit: number): Readable {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new BodyTooLargeError(limit));
      else cb(null, chunk);
    },
  });
  body.on('error', (e) => t.destroy(e));
  return body.pipe(t);
}

function classify(err: Error & { code?: string }, started: boolean): UpstreamFailure {
  const code = err.code;
  if (err instanceof BodyTooLargeError || code === 'SHIELD_BODY_TOO_LARGE') return { kind: 'body_too_large', error: err };
  if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL') {
    return { kind: 'connect', error: err };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { kind: 'timeout', error: err };
  if (!started && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE')) return { kind: 'stale_socket', error: err };
  return { kind: 'protocol', error: err };
}

/**
 * Streams one request to the backend and its response back to the client, both ways without
 * buffering: response chunks are written as they come and the upstream is paused while the
 * client's socket is full. `settled` is called once, when the exchange ends, with its result.
 *
 * The handler uses undici's raw interface (onConnect/onHeaders/onData/onComplete/onError): the
 * response head arrives as raw name/value buffers and goes to the client as [name, value] pairs,
 * with no header object built in between.
 */
export function forward(
  dispatcher: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  opts: { headers: string[]; body: Readable | null; nowMs: () => number },
  settled: (r: ForwardResult) => void,
): void {
  const started = opts.nowMs();
  const result: ForwardResult = { bytes: 0 };
  let abort: ((err?: Error) => void) | undefined;
  let resume: (() => void) | undefined;
  let done = false;
  let connectedToClient = true;

  const finish = () => {
    if (done) return;
    done = true;
    res.off('close', onClientClose);
    settled(result);
  };
  const onClientClose = () => {
    if (done || res.writableFinished) return;
    connectedToClient = false;
    abort?.(Object.assign(new Error('client closed the connection'), { code: 'SHIELD_CLIENT_CLOSED' }));
  };
  res.on('close', onClientClose);
  const onDrain = () => resume?.();

  const handler: Dispatcher.DispatchHandler = {
    onConnect(a) {
      abort = a;
      if (!connectedToClient) a(new Error('client closed the connection'));
    },
    onHeaders(statusCode, rawHeaders, r, statusText) {
      result.upstreamMs = opts.nowMs() - started;
      result.status = statusCode;
      resume = r;
      if (res.headersSent || res.destroyed) return true;
      res.writeHead(statusCode, statusText || undefined, downstreamResponseHeaders(rawHeaders));
      return true;
    },
    onData(chunk) {
      result.bytes += chunk.length;
      if (res.write(chunk)) return true;
      res.once('drain', onDrain);
      return false;
    },
    onComplete() {
      res.end();
      finish();
    },
    onError(err: Error & { code?: string }) {
      if (result.status !== undefined) {
        // the head already went out: all we can do is cut the connection
        result.aborted = true;
        res.destroy();
      } else if (!connectedToClient || err.code === 'SHIELD_CLIENT_CLOSED') {
        result.failure = { kind: 'client_closed', error: err };
      } else {
        result.failure = classify(err, false);
      }
      finish();
    },
  };
  dispatcher.dispatch({ path: req.url ?? '/', method: req.method as Dispatcher.HttpMethod, headers: opts.headers, body: opts.body }, handler);
}
