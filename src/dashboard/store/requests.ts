import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RequestsQuery } from '../schemas.js';
import { HOUR_MS } from './ingest.js';

export interface RequestRow {
  id: number;
  timestamp: string;
  source_ip: string;
  request_path: string;
  request_method: string;
  user_agent: string;
  prediction: string;
  confidence_score: number;
  is_blocked: number;
  response_status_code: number;
  response_time_ms: number;
  size: number;
  gateway_id: string;
  action: string;
  reason: string;
  features: Record<string, number> | null;
  weight: number;
}

/** Escapes LIKE wildcards so that user search text matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type ReqQb = SelectQueryBuilder<Database, 'requests', object>;

function applyFilters(qb: ReqQb, q: Partial<RequestsQuery>, now: number): ReqQb {
  let out = qb.where('ts', '>=', now - (q.hours ?? 24) * HOUR_MS);
  if (q.is_blocked !== undefined) out = out.where('is_blocked', '=', q.is_blocked);
  if (q.source_ip) out = out.where('source_ip', '=', q.source_ip);
  if (q.prediction) out = out.where('prediction', '=', q.prediction);
  if (q.action) out = out.where('action', '=', q.action);
  if (q.status !== undefined) out = out.where('status', '=', q.status);
  if (q.gateway_id) out = out.where('gateway_id', '=', q.gateway_id);
  if (q.after_id !== undefined) out = out.where('id', '>', q.after_id);
  if (q.search) {
    const pat = `%${likeEscape(q.search)}%`;
    const like = (col: 'source_ip' | 'path' | 'user_agent') => sql<boolean>`${sql.ref(col)} like ${pat} escape '\\'`;
    out = out.where((eb) => eb.or([like('source_ip'), like('path'), like('user_agent')]));
  }
  return out;
}

function toRow(r: Database['requests'] & { id: number }): RequestRow {
  return {
    id: Number(r.id), timestamp: new Date(Number(r.ts)).toISOString(), source_ip: r.source_ip, request_path: r.path,
    request_method: r.method, user_agent: r.user_agent, prediction: r.prediction, confidence_score: Number(r.confidence),
    is_blocked: Number(r.is_blocked), response_status_code: Number(r.status), response_time_ms: Number(r.response_time_ms),
    size: Number(r.size), gateway_id: r.gateway_id, action: r.action, reason: r.reason,
    features: r.features ? JSON.parse(r.features) as Record<string, number> : null, weight: Number(r.weight),
  };
}

/** One page of the request log, newest first, with the total matching count. */
export async function listRequests(db: Kysely<Database>, q: RequestsQuery, now: number) {
  const base = applyFilters(db.selectFrom('requests') as ReqQb, q, now);
  const [countRow, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    base.selectAll().orderBy('id', 'desc').limit(q.limit).offset((q.page - 1) * q.limit).execute(),
  ]);
  const total = Number(countRow?.n ?? 0);
  return {
    total, page: q.page, limit: q.limit, pages: Math.ceil(total / q.limit),
    requests: rows.map((r) => toRow(r as Database['requests'] & { id: number })),
  };
}

/** Streams every matching row (oldest first) in pages, for CSV export. */
export async function* iterateRequests(db: Kysely<Database>, q: RequestsQuery, now: number, pageSize = 2000): AsyncGenerator<RequestRow[]> {
  let afterId = 0;
  for (;;) {
    const rows = await applyFilters(db.selectFrom('requests') as ReqQb, { ...q, after_id: afterId }, now)
      .selectAll().orderBy('id', 'asc').limit(pageSize).execute();
    if (rows.length === 0) return;
    const mapped = rows.map((r) => toRow(r as Database['requests'] & { id: number }));
    yield mapped;
    afterId = mapped[mapped.length - 1]!.id;
    if (rows.length < pageSize) return;
  }
}

export const CSV_COLUMNS = ['id', 'timestamp', 'source_ip', 'request_method', 'request_path', 'response_status_code',
  'prediction', 'confidence_score', 'is_blocked', 'action', 'reason', 'response_time_ms', 'size', 'gateway_id',
  'user_agent', 'weight'] as const;

/** RFC 4180 field quoting; cells starting with a formula character are prefixed with a quote. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: RequestRow): string {
  return `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;
}
