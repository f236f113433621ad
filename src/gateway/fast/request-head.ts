import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { emptySignals, type HeaderSignals } from '../../detect/signals.js';
import { eqLower, valueEnd, valueStart } from './ascii.js';

/** A request head the fast path can carry: HTTP/1.1, origin-form target, no body, no upgrade. */
export interface FastHead {
  method: string;
  url: string;
  httpVersion: '1.1';
  /** Lower-case names, duplicates combined as node:http does; built from rawHeaders when first read. */
  readonly headers: IncomingHttpHeaders;
  /** Names as sent and values, alternating (IncomingMessage.rawHeaders); built from `text` when first read. */
  readonly rawHeaders: string[];
  /** How many field lines the head has. */
  fieldCount: number;
  /** The Host field's value. */
  host: string;
  /** The fields the detector reads. */
  signals: HeaderSignals;
  /** The client connection (set by whoever serves it; the parser does not know it). */
  socket: Socket;
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
/** What the parser does with a field, from its name (kinds up to SetByGateway are never forwarded as received). */
const enum K {
  Other, Connection, HopByHop, SetByGateway, ContentLength, TransferEncoding, Expect, Upgrade, Host,
  UserAgent, Referer, Accept, AcceptEncoding, AcceptLanguage, SecFetchMode, Cookie,
}
const NAMED: readonly (readonly [string, K])[] = [
  ['te', K.HopByHop], ['host', K.Host], ['expect', K.Expect], ['accept', K.Accept], ['cookie', K.Cookie],
  ['upgrade', K.Upgrade], ['trailer', K.HopByHop], ['referer', K.Referer],
  ['connection', K.Connection], ['keep-alive', K.HopByHop], ['user-agent', K.UserAgent],
  ['content-length', K.ContentLength], ['http2-settings', K.Upgrade], ['sec-fetch-mode', K.SecFetchMode],
  ['x-forwarded-for', K.SetByGateway], ['accept-encoding', K.AcceptEncoding], ['accept-language', K.AcceptLanguage],
  ['proxy-connection', K.HopByHop], ['x-forwarded-host', K.SetByGateway],
  ['transfer-encoding', K.TransferEncoding], ['x-forwarded-proto', K.SetByGateway],
  ['proxy-authenticate', K.HopByHop], ['proxy-authorization', K.HopByHop],
];
/** NAMED by name length: the few names of one length are compared, without a lower-case copy of each name. */
const BY_LENGTH: (readonly (readonly [string, K])[])[] = Array.from({ length: 20 }, (_, n) => NAMED.filter(([name]) => name.length === n));

function kindOf(s: string, start: number, colon: number): K {
  const n = colon - start;
  if (n >= BY_LENGTH.length) return K.Other;
  for (const [name, kind] of BY_LENGTH[n]!) if (eqLower(s, start, name)) return kind;
  return K.Other;
}

const joined = (prior: string | undefined, value: string, sep: string) => (prior === undefined ? value : `${prior}${sep}${value}`);

/** node:http's headers object of a raw list: lower-case names, duplicates combined as it does (`__proto__` left out). */
export function headersOf(raw: readonly string[]): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (lower === '__proto__') continue;
    const prior = headers[lower];
    if (prior === undefined) headers[lower] = lower === 'set-cookie' ? [value] : value;
    else if (lower === 'set-cookie') (prior as string[]).push(value);
    else if (!SINGLE.has(lower)) headers[lower] = `${prior as string}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return headers;
}

/**
 * The names as sent and the values (OWS trimmed) of the field lines of `text`, alternating: the
 * head FAST_HEAD accepted, whose field lines start after the first CRLF.
 */
function rawHeadersOf(text: string): string[] {
  const raw: string[] = [];
  const lineEnd = text.indexOf('\r\n');
  for (let at = lineEnd < 0 ? text.length : lineEnd + 2; at < text.length;) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    const vs = valueStart(text, colon + 1, end);
    raw.push(text.slice(at, colon), text.slice(vs, valueEnd(text, vs, end)));
    at = end + 2;
  }
  return raw;
}

/**
 * A parsed head. Its raw field list and headers object are built only when something reads them:
 * the fast path itself reads `signals`, `host` and `fieldCount`, so the fields it does not act on
 * cost no string each.
 */
class ParsedHead implements FastHead {
  readonly httpVersion = '1.1';
  socket!: Socket;
  private raw: string[] | null = null;
  private built: IncomingHttpHeaders | null = null;
  constructor(
    readonly method: string, readonly url: string, readonly fieldCount: number, readonly host: string, readonly signals: HeaderSignals,
    readonly close: boolean, readonly text: string, readonly cutStart: number, readonly cutEnd: number, readonly verbatim: boolean,
  ) {}

  get rawHeaders(): string[] {
    return (this.raw ??= rawHeadersOf(this.text));
  }

  get headers(): IncomingHttpHeaders {
    return (this.built ??= headersOf(this.rawHeaders));
  }
}

/** Control characters other than HTAB, and DEL: none may be in the request line. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Request-target characters: visible ASCII. */
const TARGET = /^\/[!-~]*$/;
/**
 * A whole head the fast path carries, in one match: a request line with a fast method, an
 * origin-form (or asterisk) target of visible ASCII and HTTP/1.1, then the field lines, each a
 * CRLF, a token name, a colon and a value without control characters other than HTAB (RFC 9110
 * §5.5, RFC 9112 §5.1): so no CR or LF is left anywhere but in the CRLFs that end the lines, and
 * no obs-fold or space before a colon. One match costs V8 a fraction of a regular expression per
 * line, name or value (each call costs a few hundred instructions). A head it refuses goes
 * through the checks one by one (refusal) to tell why.
 */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const FAST_HEAD = /^(?:GET|HEAD|OPTIONS) (?:\/[!-~]*|\*) HTTP\/1\.1(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*)*$/;

/** Why FAST_HEAD refused a head: the request line's problem, else a malformed field line. */
function refusal(text: string): HandOverReason {
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
  if (!TARGET.test(url) && !(url === '*' && method === 'OPTIONS')) return 'target';
  return 'malformed';
}

/**
 * Parses a request head (latin1 text, without the blank line that ends it) for the fast path.
 * Returns the reason instead for anything the fast path leaves to node:http — a body, an upgrade, Expect,
 * HTTP/1.0, an absolute target or an asterisk one other than `OPTIONS *`, more than `maxHeaders` fields, the gateway's own
 * `/_shield/` routes, and every malformed head (node:http then gives its exact 400/431 answer).
 */
export function parseRequestHead(text: string, maxHeaders: number): FastHead | HandOverReason {
  if (!FAST_HEAD.test(text)) return refusal(text);
  // the request line is two spaces apart (no space in the target) and ends at the first CRLF
  const lineEnd = text.indexOf('\r\n');
  const sp1 = text.indexOf(' ');
  const sp2 = text.indexOf(' ', sp1 + 1);
  const method = text.slice(0, sp1);
  const url = text.slice(sp1 + 1, sp2);
  // `OPTIONS *` (the server as a whole, RFC 9112 §3.2.4) goes to the backend as it came: undici sends origin-form only
  if (url === '*' && method !== 'OPTIONS') return 'target';
  if (url.startsWith('/_shield/')) return 'shield_route';

  let fields = 0;
  const signals = emptySignals();
  let close = false;
  let hosts = 0;
  let host = '';
  let cutStart = -1;
  let cutEnd = -1;
  let verbatim = true;
  let at = lineEnd < 0 ? text.length : lineEnd + 2;
  while (at < text.length) {
    const start = at;
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    // FAST_HEAD saw a token name and a colon on every line
    const colon = text.indexOf(':', at);
    if (++fields > maxHeaders) return 'too_many_headers';
    const kind = kindOf(text, start, colon);
    at = end + 2;
    // a field acted on by no one here costs no string: rawHeaders builds them all if asked
    if (kind === K.Other) continue;
    const vs = valueStart(text, colon + 1, end);
    const value = text.slice(vs, valueEnd(text, vs, end));
    switch (kind) {
      case K.ContentLength:
        if (!/^0+$/.test(value)) return 'body';
        break;
      case K.TransferEncoding:
        return 'body';
      case K.Expect:
        return 'expect';
      case K.Upgrade:
        return 'upgrade';
      case K.Host:
        if (hosts++ === 0) host = value;
        break;
      case K.Connection: {
        const v = value.toLowerCase();
        if (v.includes('upgrade')) return 'upgrade';
        if (v.includes('close')) close = true;
        // exactly keep-alive or close (any case): it names no other field, and is cut from the upstream head
        if (verbatim && cutStart < 0 && (v === 'keep-alive' || v === 'close')) { cutStart = start - 2; cutEnd = end; continue; }
        break;
      }
      case K.UserAgent: signals.userAgent ??= value; break;
      case K.Referer: signals.referer ??= value; break;
      case K.Accept: signals.accept = joined(signals.accept, value, ', '); break;
      case K.AcceptEncoding: signals.acceptEncoding = joined(signals.acceptEncoding, value, ', '); break;
      case K.AcceptLanguage: signals.acceptLanguage = joined(signals.acceptLanguage, value, ', '); break;
      case K.SecFetchMode: signals.secFetchMode = joined(signals.secFetchMode, value, ', '); break;
      case K.Cookie: signals.cookie = joined(signals.cookie, value, '; '); break;
    }
    // any other hop-by-hop or gateway-set field: the upstream head is built field by field
    if (kind <= K.SetByGateway) verbatim = false;
  }
  if (hosts !== 1) return 'host';
  return new ParsedHead(method, url, fields, host, signals, close, text, cutStart, cutEnd, verbatim);
}
