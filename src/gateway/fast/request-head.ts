import type { IncomingHttpHeaders } from 'node:http';
import { isPlainConnection, notForwarded } from '../../proxy/headers.js';

/** A request head the fast path can carry: HTTP/1.1, origin-form target, no body, no upgrade. */
export interface FastHead {
  method: string;
  url: string;
  httpVersion: '1.1';
  /** Lower-case names, duplicates combined as node:http does. */
  headers: IncomingHttpHeaders;
  /** Names as sent and values, alternating (IncomingMessage.rawHeaders). */
  rawHeaders: string[];
  /** The client asked to close the connection after this exchange. */
  close: boolean;
  /** The head as received: latin1, from the request line to the last field, without the blank line. */
  text: string;
  /** Where a plain `Connection: keep-alive` or `close` field sits in `text` (the CRLF before it included); -1 when there is none. */
  cutStart: number;
  cutEnd: number;
  /** `text` without that field can go to the upstream as it is: no other hop-by-hop or gateway-set field is in it. */
  verbatim: boolean;
}

/** Why a request goes to node:http instead (counted in ddos_shield_fast_path_handovers_total). */
export type HandOverReason = 'method' | 'version' | 'target' | 'shield_route' | 'body' | 'upgrade' | 'expect' | 'too_many_headers' | 'malformed' | 'host';

/** Methods that carry no body in practice and whose requests are safe to retry. */
const FAST_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Duplicates of these are dropped by node:http (the first one counts). */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);
/** Control characters other than HTAB, and DEL: none may be in the request line. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/**
 * The field lines after the request line, each a CRLF, a token name, a colon and a value without
 * control characters other than HTAB (RFC 9110 §5.5, RFC 9112 §5.1): so no CR or LF is left
 * anywhere but in the CRLFs that end the lines, and no obs-fold or space before a colon. Sticky,
 * from the request line's CRLF to the end. One match over all the fields costs V8 a fraction of
 * a regular expression per name and per value (each call costs a few hundred instructions).
 */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const FIELDS = /(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*)*$/y;
/** Request-target characters: visible ASCII. */
const TARGET = /^\/[!-~]*$/;

/**
 * Parses a request head (latin1 text, without the blank line that ends it) for the fast path.
 * Returns the reason instead for anything the fast path leaves to node:http — a body, an upgrade, Expect,
 * HTTP/1.0, an absolute target or an asterisk one other than `OPTIONS *`, more than `maxHeaders` fields, the gateway's own
 * `/_shield/` routes, and every malformed head (node:http then gives its exact 400/431 answer).
 */
export function parseRequestHead(text: string, maxHeaders: number): FastHead | HandOverReason {
  const lineEnd = text.indexOf('\r\n');
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
  if (CONTROL.test(line)) return 'malformed';
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) return 'malformed';
  if (line.slice(sp2 + 1) !== 'HTTP/1.1') return 'version';
  const method = line.slice(0, sp1);
  if (!FAST_METHODS.has(method)) return 'method';
  const url = line.slice(sp1 + 1, sp2);
  // `OPTIONS *` (the server as a whole, RFC 9112 §3.2.4) goes to the backend as it came: undici sends origin-form only
  if (!TARGET.test(url) && !(url === '*' && method === 'OPTIONS')) return 'target';
  if (url.startsWith('/_shield/')) return 'shield_route';
  if (lineEnd >= 0) {
    FIELDS.lastIndex = lineEnd;
    if (!FIELDS.test(text)) return 'malformed';
  }

  // a plain object (fast property access for the detector); a field named __proto__ stays in rawHeaders only
  const headers: IncomingHttpHeaders = {};
  const rawHeaders: string[] = [];
  let close = false;
  let hosts = 0;
  let cutStart = -1;
  let cutEnd = -1;
  let verbatim = true;
  let at = lineEnd < 0 ? text.length : lineEnd + 2;
  while (at < text.length) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon <= at || colon > end) return 'malformed';
    const name = text.slice(at, colon);
    const value = text.slice(colon + 1, end).trim();
    const lower = name.toLowerCase();
    switch (lower) {
      case 'content-length':
        if (!/^0+$/.test(value)) return 'body';
        break;
      case 'transfer-encoding':
        return 'body';
      case 'expect':
        return 'expect';
      case 'upgrade': case 'http2-settings':
        return 'upgrade';
      case 'host':
        hosts++;
        break;
      case 'connection': {
        const v = value.toLowerCase();
        if (v.includes('upgrade')) return 'upgrade';
        if (v.includes('close')) close = true;
        break;
      }
    }
    if (verbatim && notForwarded(lower)) {
      if (lower === 'connection' && cutStart < 0 && isPlainConnection(value)) {
        cutStart = at - 2;
        cutEnd = end;
      } else {
        verbatim = false;
      }
    }
    if (rawHeaders.length >= maxHeaders * 2) return 'too_many_headers';
    rawHeaders.push(name, value);
    if (lower === '__proto__') { at = end + 2; continue; }
    const prior = headers[lower];
    if (prior === undefined) headers[lower] = lower === 'set-cookie' ? [value] : value;
    else if (lower === 'set-cookie') (prior as string[]).push(value);
    else if (!SINGLE.has(lower)) headers[lower] = `${prior as string}${lower === 'cookie' ? '; ' : ', '}${value}`;
    at = end + 2;
  }
  if (hosts !== 1) return 'host';
  return { method, url, httpVersion: '1.1', headers, rawHeaders, close, text, cutStart, cutEnd, verbatim };
}
