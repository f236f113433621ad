import type { IncomingMessage } from 'node:http';
import type { DashboardDeps } from '../deps.js';
import { HttpError, readJson, sendJson, type Route } from '../http/context.js';
import { MAX_BATCH, formatIssues, heartbeatSchema, idsAlertSchema, type IdsAlertInput, type ValidEvent } from '../schemas.js';
import { validateEvent } from '../validate-event.js';
import { recordHeartbeat } from '../store/gateways.js';
import { insertIdsAlert } from '../store/alerts.js';
import { isRefusal } from '../store/ingest.js';
import { refineBlockReasons } from '../block-reasons.js';

const MAX_REPORTED_ERRORS = 20;
const LIVE_RECENT = 50; // newest events of a batch sent to live clients
const FUTURE_SLACK_MS = 5 * 60_000; // events and alerts may be stamped up to 5 min ahead of the dashboard's clock
const MAX_ALERT_BYTES = 64 * 1024; // one IDS alert is well under 1 KiB

/** Slack on start times estimated from whole-second uptimes and delivery delays. */
const RESTART_SLACK_MS = 2000;

/** Whether a heartbeat comes from a new process of the gateway: its uptime went down, or its start moved later. */
export function gatewayRestarted(prev: { uptime_seconds: number; last_seen: number }, hb: { uptime_seconds: number }, now: number): boolean {
  if (hb.uptime_seconds < Number(prev.uptime_seconds)) return true;
  const before = Number(prev.last_seen) - Number(prev.uptime_seconds) * 1000;
  return now - hb.uptime_seconds * 1000 > before + RESTART_SLACK_MS;
}

/**
 * POST /api/logs (a batch, {events: [...]}, or one event) and POST /api/heartbeat from the gateways,
 * POST /api/alerts from the flow IDS; all with the ingestion token.
 */
export function ingestRoutes(d: DashboardDeps): Route[] {
  /** The posted alert, checked; a 4xx HttpError (counted as rejected) when it cannot be stored. */
  async function readIdsAlert(req: IncomingMessage): Promise<IdsAlertInput> {
    try {
      const r = idsAlertSchema.safeParse(await readJson(req, MAX_ALERT_BYTES));
      let issues = r.success ? [] : formatIssues(r.error);
      if (r.success) {
        const now = d.clock.now();
        const ts = Date.parse(r.data.timestamp);
        if (ts > now + FUTURE_SLACK_MS) issues = ['timestamp: is in the future'];
        else if (ts < now - d.config.retentionRollupsMs) issues = ['timestamp: is older than the retention period'];
        else return r.data;
      }
      throw new HttpError(400, `invalid alert, nothing stored: ${issues.slice(0, 5).join('; ')}`, issues);
    } catch (err) {
      if (err instanceof HttpError) d.metrics.alertsIngested.inc({ source: 'ids', result: 'rejected' });
      throw err;
    }
  }

  return [
    {
      method: 'POST', path: '/api/logs', access: 'ingest',
      async handler({ req, res }) {
        const body = await readJson(req, d.config.maxBodyBytes);
        const list: unknown[] = Array.isArray(body) ? body
          : body && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events) ? (body as { events: unknown[] }).events
            : [body];
        if (list.length > MAX_BATCH) {
          d.metrics.events.inc({ result: 'rejected' }, list.length);
          throw new HttpError(413, `batch of ${list.length} events exceeds the limit of ${MAX_BATCH}; nothing stored`);
        }
        const now = d.clock.now();
        const oldest = now - d.config.retentionRollupsMs;
        const good: ValidEvent[] = [];
        const errors: { index: number; issues: string[] }[] = [];
        for (let index = 0; index < list.length; index++) {
          const r = validateEvent(list[index]);
          let issues: string[] | null = r.ok ? null : r.issues;
          if (r.ok) {
            const ts = Date.parse(r.value.timestamp);
            if (ts > now + FUTURE_SLACK_MS) issues = ['timestamp: is in the future'];
            else if (ts < oldest) issues = ['timestamp: is older than the retention period'];
            else good.push(r.value);
          }
          if (issues && errors.length < MAX_REPORTED_ERRORS) errors.push({ index, issues });
        }
        const rejected = list.length - good.length;
        if (rejected) d.metrics.events.inc({ result: 'rejected' }, rejected);
        let stored = 0;
        let sampledOut = 0;
        if (good.length) {
          const end = d.metrics.ingestSeconds.startTimer();
          const r = await d.ingestor.ingest(good);
          end();
          stored = r.stored; sampledOut = r.sampledOut;
          d.metrics.events.inc({ result: 'stored' }, r.stored);
          if (r.sampledOut) d.metrics.events.inc({ result: 'sampled_out' }, r.sampledOut);
          const live = { total: good.length, blocked: 0, refused: 0, errors: 0 };
          for (const e of good) {
            if (e.action === 'block') live.blocked += 1;
            if (isRefusal(e.action)) live.refused += 1;
            else if (e.action === 'error') live.errors += 1;
          }
          d.hub.count(live);
          d.hub.publish(good.slice(-LIVE_RECENT).map((e) => ({
            timestamp: e.timestamp, source_ip: e.source_ip, path: e.path, method: e.method, status: e.status,
            prediction: e.prediction, action: e.action, is_blocked: e.is_blocked, confidence: e.confidence, gateway_id: e.gateway_id,
          })));
          if (r.alerts) d.hub.notify('alerts', { count: r.alerts });
          // clients newly blocked with no reason but the blocklist's: the gateways say why (not awaited)
          if (r.newlyBlocked.length) void refineBlockReasons(d, r.newlyBlocked);
        }
        const status = good.length === 0 && rejected > 0 ? 400 : 200;
        sendJson(res, status, {
          status: status === 200 ? (rejected ? 'partial' : 'ok') : 'rejected',
          accepted: good.length, rejected, stored, sampled_out: sampledOut, errors,
        });
      },
    },
    {
      method: 'POST', path: '/api/heartbeat', access: 'ingest',
      async handler({ req, res }) {
        const r = heartbeatSchema.safeParse(await readJson(req, 256 * 1024));
        if (!r.success) throw new HttpError(400, 'invalid heartbeat', formatIssues(r.error));
        const hb = r.data;
        const now = d.clock.now();
        const prev = await d.store.db.selectFrom('gateways').select(['uptime_seconds', 'last_seen']).where('id', '=', hb.gateway_id).executeTakeFirst();
        await recordHeartbeat(d.store.db, hb, now);
        sendJson(res, 200, { status: 'ok' });
        // a gateway whose uptime went down (or that started well after its previous start) restarted: without
        // Redis it lost its blocklist and allowlist, so the dashboard's own blocks go back on it (not awaited)
        if (prev && hb.admin_url && gatewayRestarted(prev, hb, now)) {
          d.logger.info({ gateway: hb.gateway_id }, 'gateway restarted; re-applying the dashboard\'s blocks');
          void d.reapplier.afterRestart({ gateway_id: hb.gateway_id, admin_url: hb.admin_url });
        }
      },
    },
    {
      method: 'POST', path: '/api/alerts', access: 'ingest',
      async handler({ req, res }) {
        const alert = await readIdsAlert(req);
        const id = await insertIdsAlert(d.store.db, alert);
        d.metrics.alertsIngested.inc({ source: 'ids', result: 'stored' });
        d.hub.notify('alerts', { count: 1 });
        sendJson(res, 200, { status: 'ok', id });
      },
    },
  ];
}
