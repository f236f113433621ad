import type { IncomingMessage } from 'node:http';
import { joinHeader } from '../net/header-value.js';

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): Connection and every field it names, plus the fields
 * that are hop-by-hop by definition (Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding, Upgrade; RFC 9110 §7.6.1, RFC 9112 §7.1). `expect` is answered by the
 * gateway itself (100-continue), and `x-forwarded-*` are set by the gateway.
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization',
]);
const SET_BY_GATEWAY = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'expect']);

/** Whether a lower-case field name is never passed upstream as received: hop-by-hop by definition, or set by the gateway. */
export function notForwarded(lower: string): boolean {
  return HOP_BY_HOP.has(lower) || SET_BY_GATEWAY.has(lower);
}

/** Whether a lower-case field name is hop-by-hop by definition (fields named in Connection aside). */
export function isHopByHop(lower: string): boolean {
  return HOP_BY_HOP.has(lower);
}

/** A Connection value that is exactly `keep-alive` or `close` (any case): the usual values, which name no field. */
export function isPlainConnection(value: string): boolean {
  return (value.length === 10 || value.length === 5) && /^(?:keep-alive|close)$/i.test(value);
}

/** Field names listed in Connection headers (lower-case), or null when there are none. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  // the usual values name no field: no split, no set
  if (typeof value === 'string' && isPlainConnection(value)) return null;
  const s = Array.isArray(value) ? value.join(',') : value;
  let out: Set<string> | null = null;
  for (const t of s.split(',')) {
    const name = t.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') (out ??= new Set()).add(name);
  }
  return out;
}

export interface ForwardedInfo {
  /** The client address as resolved (trusted-proxy aware). */
  clientIp: string;
  /** The immediate peer's address. */
  peerIp: string;
  /** Whether the peer is a trusted proxy (then its X-Forwarded-* are extended, not replaced). */
  peerTrusted: boolean;
  proto: 'http' | 'https';
}

/**
 * Request headers for the upstream as a flat [name, value, ...] list (undici's cheapest form),
 * without hop-by-hop fields, with X-Forwarded-For/-Proto/-Host set. From an untrusted peer the
 * incoming X-Forwarded-* are dropped, so a client cannot make the backend believe a spoofed address.
 * With `keepUpgrade`, Connection: upgrade and Upgrade pass (WebSocket).
 */
export function upstreamRequestHeaders(req: Pick<IncomingMessage, 'rawHeaders' | 'headers'>, fwd: ForwardedInfo, keepUpgrade = false): string[] {
  const out: string[] = [];
  eachUpstreamHeader(req, fwd, keepUpgrade, (name, value) => { out.push(name, value); });
  return out;
}

/** The same fields as one HTTP/1.1 request head for the upstream, blank line included (the fast path writes it as is). */
export function upstreamRequestHead(method: string, url: string, req: Pick<IncomingMessage, 'rawHeaders' | 'headers'>, fwd: ForwardedInfo): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  eachUpstreamHeader(req, fwd, false, (name, value) => { head += `${name}: ${value}\r\n`; });
  return `${head}\r\n`;
}

/** A request head as the fast path parsed it (see FastHead): its text and where the one field to drop sits. */
export interface ReceivedHead extends Pick<IncomingMessage, 'rawHeaders' | 'headers'> {
  method: string;
  /** The Host field's value. */
  host: string;
  url: string;
  text: string;
  cutStart: number;
  cutEnd: number;
  verbatim: boolean;
}

/**
 * The upstream head for a request the fast path parsed: the client's own bytes, without a plain
 * `Connection: keep-alive|close` field, and the X-Forwarded-* fields after them. The same
 * fields as upstreamRequestHead (which it falls back to for any other hop-by-hop or
 * X-Forwarded-* field, and for a trusted peer), without building the head field by field.
 */
export function receivedUpstreamHead(h: ReceivedHead, fwd: ForwardedInfo, memo?: ForwardedMemo): string {
  if (!h.verbatim || fwd.peerTrusted) return upstreamRequestHead(h.method, h.url, h, fwd);
  const t = h.text;
  const kept = h.cutStart < 0 ? t : t.slice(0, h.cutStart) + t.slice(h.cutEnd);
  return kept + forwardedFields(h.host, fwd, memo);
}

/**
 * The X-Forwarded-* fields and the blank line of the last head a connection sent upstream: its
 * requests come from one peer and nearly always name one host, so the next head reuses the text
 * instead of building it again.
 */
export interface ForwardedMemo { host: string; peerIp: string; proto: string; text: string }

export function forwardedMemo(): ForwardedMemo {
  return { host: '', peerIp: '', proto: '', text: '' };
}

/** The X-Forwarded-* field lines (after the client's last field, CRLF first) and the blank line that ends the head. */
function forwardedFields(host: string, fwd: ForwardedInfo, memo: ForwardedMemo | undefined): string {
  if (memo !== undefined && memo.text !== '' && memo.host === host && memo.peerIp === fwd.peerIp && memo.proto === fwd.proto) return memo.text;
  const text = `\r\nX-Forwarded-For: ${fwd.peerIp}\r\nX-Forwarded-Proto: ${fwd.proto}\r\n${host ? `X-Forwarded-Host: ${host}\r\n` : ''}\r\n`;
  if (memo !== undefined) { memo.host = host; memo.peerIp = fwd.peerIp; memo.proto = fwd.proto; memo.text = text; }
  return text;
}

function eachUpstreamHeader(req: Pick<IncomingMessage, 'rawHeaders' | 'headers'>, fwd: ForwardedInfo, keepUpgrade: boolean, emit: (name: string, value: string) => void): void {
  const raw = req.rawHeaders;
  const named = connectionTokens(req.headers.connection);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || SET_BY_GATEWAY.has(lower) || (named !== null && named.has(lower))) {
      if (!(keepUpgrade && lower === 'upgrade')) continue;
    }
    emit(name, raw[i + 1] as string);
  }
  if (keepUpgrade) emit('Connection', 'upgrade');
  const h = req.headers;
  const priorXff = fwd.peerTrusted ? joinHeader(h['x-forwarded-for']) : undefined;
  emit('X-Forwarded-For', priorXff ? `${priorXff}, ${fwd.peerIp}` : fwd.peerIp);
  const priorProto = fwd.peerTrusted ? joinHeader(h['x-forwarded-proto']) : undefined;
  emit('X-Forwarded-Proto', priorProto ?? fwd.proto);
  const priorHost = fwd.peerTrusted ? joinHeader(h['x-forwarded-host']) : undefined;
  const host = priorHost ?? h.host;
  if (host) emit('X-Forwarded-Host', host);
}

/**
 * Response headers from the upstream for the client, without hop-by-hop fields, as [name, value]
 * pairs (the form `ServerResponse.writeHead` takes without copying). `raw` is undici's flat list
 * of name/value buffers; bytes are kept as they are (latin1).
 */
export function downstreamResponseHeaders(raw: readonly Buffer[] | null | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (!raw) return out;
  let named: Set<string> | null = null;
  const names: string[] = new Array<string>(raw.length >> 1);
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toString('latin1').toLowerCase();
    names[i >> 1] = lower;
    if (lower === 'connection') named = connectionTokens(raw[i + 1]!.toString('latin1'));
  }
  for (let i = 0; i < raw.length; i += 2) {
    const lower = names[i >> 1]!;
    if (HOP_BY_HOP.has(lower) || (named !== null && named.has(lower))) continue;
    out.push([raw[i]!.toString('latin1'), raw[i + 1]!.toString('latin1')]);
  }
  return out;
}
