import type { IncomingHttpHeaders } from 'node:http';
import { joinHeader } from '../net/header-value.js';

/**
 * The request header fields the detector reads, undefined when absent; repeated fields are
 * combined as node:http combines them (the first User-Agent and Referer, the others joined).
 * A record of fixed shape, so that reading it costs the same whatever else the request carries.
 */
export interface HeaderSignals {
  userAgent: string | undefined;
  accept: string | undefined;
  acceptEncoding: string | undefined;
  acceptLanguage: string | undefined;
  secFetchMode: string | undefined;
  referer: string | undefined;
  cookie: string | undefined;
}

export function emptySignals(): HeaderSignals {
  return { userAgent: undefined, accept: undefined, acceptEncoding: undefined, acceptLanguage: undefined, secFetchMode: undefined, referer: undefined, cookie: undefined };
}

/** The signals of a node:http headers object (lower-case names). */
export function signalsOf(h: IncomingHttpHeaders): HeaderSignals {
  return {
    userAgent: joinHeader(h['user-agent']), accept: joinHeader(h.accept), acceptEncoding: joinHeader(h['accept-encoding']),
    acceptLanguage: joinHeader(h['accept-language']), secFetchMode: joinHeader(h['sec-fetch-mode']), referer: joinHeader(h.referer), cookie: joinHeader(h.cookie),
  };
}
