import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { PORT_RANGE, WORKERS_RANGE, gatewayConfigSchema, wholeNumberMessage, type GatewayConfig } from './schema.js';

type Json = Record<string, unknown>;

/** Command-line values; any that is undefined leaves the lower layers' value in place. */
export interface GatewayFlags {
  host?: string;
  port?: string | number;
  adminHost?: string;
  adminPort?: string | number;
  backend?: string[];
  trustedProxies?: string[];
  logLevel?: string;
  shadow?: boolean;
  workers?: string | number;
}

export interface ConfigSources {
  file?: string;
  env?: Record<string, string | undefined>;
  flags?: GatewayFlags;
}

export type LoadResult =
  | { ok: true; config: GatewayConfig }
  | { ok: false; errors: string[] };

/** Where each overridden value came from, to name it in error messages. */
type Origins = Map<string, string>;

/** Precedence: flag > environment > file > default. Every problem is listed, none stops the search early. */
export function loadGatewayConfig(src: ConfigSources): LoadResult {
  const errors: string[] = [];
  const origins: Origins = new Map();
  let base: Json = {};
  if (src.file) {
    const fromFile = readYamlFile(src.file, errors);
    if (fromFile) base = fromFile;
  }
  const layered = deepMerge(deepMerge(base, fromEnv(src.env ?? {}, origins, errors)), fromFlags(src.flags ?? {}, origins, errors));
  const parsed = gatewayConfigSchema.safeParse(layered);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const origin = origins.get(path) ?? origins.get(issue.path.slice(0, -1).join('.'));
      errors.push(`${path || '(root)'}${origin ? ` (from ${origin})` : ''}: ${issue.message}`);
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: deepFreeze(parsed.data) };
}

function readYamlFile(file: string, errors: string[]): Json | undefined {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    errors.push(`config file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
    return undefined;
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) errors.push(`config file ${file}: ${e.message.split('\n')[0]}`);
    return undefined;
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`config file ${file}: the top level must be a mapping`);
    return undefined;
  }
  return value as Json;
}

/** Accepts `host:port`, `http://host:port` or `https://host:port`; returns an origin URL or an error. */
export function parseBackendTarget(text: string): { url: string } | { error: string } {
  const t = text.trim();
  if (!t) return { error: 'empty backend target' };
  const withScheme = /^[a-z]+:\/\//i.test(t) ? t : `http://${t}`;
  try {
    const u = new URL(withScheme);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `backend "${t}": only http and https are supported` };
    if ((u.pathname !== '/' && u.pathname !== '') || u.search) return { error: `backend "${t}": give an origin without a path` };
    return { url: u.origin };
  } catch {
    return { error: `backend "${t}": not a host:port or URL` };
  }
}

/**
 * A whole number in [min, max] from a flag or an environment variable, or undefined (the problem,
 * naming the option and where the value came from, is added to `errors`, and the lower layers'
 * value stays in place so that the other checks still run).
 */
function wholeNumber(
  v: string | number | undefined, path: string, range: { min: number; max: number }, origin: string, errors: string[],
): number | undefined {
  if (v === undefined) return undefined;
  const text = typeof v === 'number' ? String(v) : v.trim();
  const n = /^\d+$/.test(text) ? Number(text) : typeof v === 'number' ? v : NaN;
  if (Number.isInteger(n) && n >= range.min && n <= range.max) return n;
  errors.push(`${path} (from ${origin}): ${wholeNumberMessage(range.min, range.max, v)}`);
  return undefined;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function targets(values: string[], origin: string, errors: string[]): { url: string }[] {
  const out: { url: string }[] = [];
  for (const v of values) {
    const r = parseBackendTarget(v);
    if ('error' in r) errors.push(`backends.targets (from ${origin}): ${r.error}`);
    else out.push({ url: r.url });
  }
  return out;
}

function set(obj: Json, path: string, value: unknown, origins: Origins, origin: string): void {
  if (value === undefined) return;
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Json;
  cur[keys[keys.length - 1] as string] = value;
  origins.set(path, origin);
}

function fromEnv(env: Record<string, string | undefined>, origins: Origins, errors: string[]): Json {
  const o: Json = {};
  const e = (k: string) => (env[k] !== undefined && env[k] !== '' ? env[k] : undefined);
  set(o, 'gateway.host', e('GATEWAY_HOST'), origins, 'GATEWAY_HOST');
  set(o, 'gateway.port', wholeNumber(e('GATEWAY_PORT'), 'gateway.port', PORT_RANGE, 'GATEWAY_PORT', errors), origins, 'GATEWAY_PORT');
  set(o, 'gateway.id', e('GATEWAY_ID'), origins, 'GATEWAY_ID');
  set(o, 'gateway.workers', wholeNumber(e('GATEWAY_WORKERS'), 'gateway.workers', WORKERS_RANGE, 'GATEWAY_WORKERS', errors), origins, 'GATEWAY_WORKERS');
  const tp = e('TRUSTED_PROXIES');
  set(o, 'gateway.trustedProxies', tp === undefined ? undefined : list(tp), origins, 'TRUSTED_PROXIES');
  set(o, 'admin.host', e('ADMIN_HOST'), origins, 'ADMIN_HOST');
  set(o, 'admin.port', wholeNumber(e('ADMIN_PORT'), 'admin.port', PORT_RANGE, 'ADMIN_PORT', errors), origins, 'ADMIN_PORT');
  set(o, 'admin.token', e('ADMIN_TOKEN'), origins, 'ADMIN_TOKEN');
  const bt = e('BACKEND_TARGETS');
  const bu = e('BACKEND_URL');
  if (bt !== undefined) set(o, 'backends.targets', targets(list(bt), 'BACKEND_TARGETS', errors), origins, 'BACKEND_TARGETS');
  else if (bu !== undefined) set(o, 'backends.targets', targets([bu], 'BACKEND_URL', errors), origins, 'BACKEND_URL');
  set(o, 'redis.url', e('REDIS_URL'), origins, 'REDIS_URL');
  set(o, 'dashboard.url', e('DASHBOARD_URL'), origins, 'DASHBOARD_URL');
  set(o, 'dashboard.token', e('DASHBOARD_TOKEN'), origins, 'DASHBOARD_TOKEN');
  set(o, 'logging.level', e('LOG_LEVEL'), origins, 'LOG_LEVEL');
  set(o, 'challenge.secret', e('CHALLENGE_SECRET'), origins, 'CHALLENGE_SECRET');
  const shadow = e('SHADOW_MODE');
  if (shadow !== undefined) {
    if (/^(true|1|yes|on)$/i.test(shadow)) set(o, 'detection.shadow', true, origins, 'SHADOW_MODE');
    else if (/^(false|0|no|off)$/i.test(shadow)) set(o, 'detection.shadow', false, origins, 'SHADOW_MODE');
    else errors.push(`detection.shadow (from SHADOW_MODE): "${shadow}" is not true or false`);
  }
  return o;
}

function fromFlags(f: GatewayFlags, origins: Origins, errors: string[]): Json {
  const o: Json = {};
  set(o, 'gateway.host', f.host, origins, '--host');
  set(o, 'gateway.port', wholeNumber(f.port, 'gateway.port', PORT_RANGE, '--port', errors), origins, '--port');
  set(o, 'admin.host', f.adminHost, origins, '--admin-host');
  set(o, 'admin.port', wholeNumber(f.adminPort, 'admin.port', PORT_RANGE, '--admin-port', errors), origins, '--admin-port');
  if (f.backend && f.backend.length > 0) set(o, 'backends.targets', targets(f.backend, '--backend', errors), origins, '--backend');
  if (f.trustedProxies && f.trustedProxies.length > 0) set(o, 'gateway.trustedProxies', f.trustedProxies.flatMap(list), origins, '--trusted-proxy');
  set(o, 'logging.level', f.logLevel, origins, '--log-level');
  if (f.shadow) set(o, 'detection.shadow', true, origins, '--shadow');
  set(o, 'gateway.workers', wholeNumber(f.workers, 'gateway.workers', WORKERS_RANGE, '--workers', errors), origins, '--workers');
  return o;
}

function isPlain(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
