import type { IncomingHttpHeaders } from 'node:http';
import type { RequestObservation } from '../types.js';
import { clientKeyOf } from '../client-key.js';
import { fnv1a } from '../features/hash.js';
import type { LogRecord } from './logs.js';
import { signalsOf } from '../signals.js';

/** Real desktop and mobile browser User-Agent strings, one picked per host when a log does not record agents. */
export const BROWSER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
];

export interface ObservationOptions {
  v6Prefix?: number;
  /**
   * When the log does not record request headers (NASA, WorldCup, common log format), give each
   * host the headers of one browser (a fixed agent per host, accept, accept-encoding,
   * accept-language, sec-fetch-mode, connection). A log that does not record the protocol
   * version is read as HTTP/1.1. Without it, every such client would read as a header-less script. The
   * headers a log does record (referer, agent) are always used as recorded.
   */
  assumeBrowserHeaders: boolean;
}

/** Builds the observation the gateway would have built for a logged request. */
export function observationFromLog(r: LogRecord, o: ObservationOptions): RequestObservation {
  const headers: IncomingHttpHeaders = { host: 'site' };
  const agent = r.userAgent ?? (o.assumeBrowserHeaders ? BROWSER_AGENTS[fnv1a(r.host) % BROWSER_AGENTS.length] : undefined);
  if (agent) headers['user-agent'] = agent;
  if (o.assumeBrowserHeaders) {
    headers.accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    headers['accept-encoding'] = 'gzip, deflate, br';
    headers['accept-language'] = 'en-US,en;q=0.9';
    headers['sec-fetch-mode'] = 'navigate';
    headers.connection = 'keep-alive';
  }
  if (r.referer) headers.referer = r.referer;
  return {
    clientKey: clientKeyOf(r.host, o.v6Prefix ?? 64),
    ip: r.host,
    timestampMs: r.timeMs,
    method: r.method,
    path: r.path,
    query: r.query,
    httpVersion: r.httpVersion ?? '1.1',
    signals: signalsOf(headers),
    headerCount: Object.keys(headers).length,
    contentLength: 0,
  };
}
