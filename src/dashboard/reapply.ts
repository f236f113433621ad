import type { DashboardDeps } from './deps.js';
import { callGateways, type GatewayBlocklist, type GatewayTarget } from './gateway-admin.js';
import type { GatewayResult } from './store/blocked.js';
import { parseIp } from '../net/ip.js';

/**
 * A gateway keeps its blocklist and allowlist in memory (without Redis): after a restart, the
 * blocks and allowlist entries made from the dashboard are gone there. The dashboard puts them
 * back: its manual blocks still within their time (for the remaining whole minutes, rounded up)
 * and, after a restart seen in the heartbeats, its allowlist entries. Each re-application is
 * recorded in the block history (action `reapply` / `reapply-allowlist`, actor `dashboard`).
 */
const RETRY_MS = 60_000;

export function createReapplier(d: Pick<DashboardDeps, 'config' | 'store' | 'clock' | 'logger' | 'metrics'>) {
  /** Gateways (admin URLs) being re-applied to now: one run at a time per gateway. */
  const running = new Set<string>();
  /** When a block missing on a gateway was last put back there (gateway URL | address): not again within a minute. */
  const triedAt = new Map<string, number>();

  async function run(target: GatewayTarget, why: string, opts: { allowlist: boolean; present?: Set<string>; since?: number }): Promise<number> {
    if (running.has(target.admin_url)) return 0;
    running.add(target.admin_url);
    try {
      const now = d.clock.now();
      const rows = await d.store.db.selectFrom('blocked_ips').select(['ip', 'state', 'manual_until', 'last_reason', 'updated_at'])
        .where((eb) => eb.or([
          eb.and([eb('state', '=', 'manual'), eb('manual_until', '>', now)]),
          ...(opts.allowlist ? [eb('state', '=', 'allowlisted')] : []),
        ])).limit(5000).execute();
      // attempts older than a minute are forgotten once per run, not once per address
      for (const [k, at] of triedAt) if (at <= now - RETRY_MS) triedAt.delete(k);
      let n = 0;
      for (const r of rows) {
        const ip = parseIp(r.ip) ?? r.ip;
        if (r.state === 'manual') {
          if (opts.present?.has(ip)) continue;
          // a block made after the gateway (re)started and missing there was lifted on the gateway itself: left alone
          if (opts.since !== undefined && Number(r.updated_at) > opts.since) continue;
          if (opts.present) {
            const key = `${target.admin_url}|${ip}`;
            if ((triedAt.get(key) ?? -Infinity) > now - RETRY_MS) continue;
            triedAt.set(key, now);
          }
          const minutes = Math.max(1, Math.ceil((Number(r.manual_until) - now) / 60_000));
          const results = await callGateways([target], d.config.gatewayAdminToken, `block/${r.ip}`, { duration_minutes: minutes, reason: r.last_reason || 'blocked from the dashboard' });
          await record(r.ip, 'reapply', minutes, `re-applied on ${target.gateway_id} (${why}): ${r.last_reason}`, results, now);
        } else {
          const results = await callGateways([target], d.config.gatewayAdminToken, 'allowlist', { cidr: r.ip });
          await record(r.ip, 'reapply-allowlist', null, `allowlist re-applied on ${target.gateway_id} (${why})`, results, now);
        }
        n += 1;
      }
      if (n) d.logger.info({ gateway: target.gateway_id, why, entries: n }, 'dashboard blocks re-applied on a gateway');
      return n;
    } catch (err) {
      d.logger.warn({ err, gateway: target.gateway_id }, 'could not re-apply the dashboard\'s blocks on a gateway');
      return 0;
    } finally {
      running.delete(target.admin_url);
    }
  }

  async function record(ip: string, action: string, minutes: number | null, reason: string, results: GatewayResult[], now: number) {
    for (const r of results) d.metrics.gatewayActions.inc({ action, result: r.ok ? 'ok' : 'error' });
    await d.store.db.insertInto('block_actions').values({
      ts: now, ip, action, actor: 'dashboard', duration_minutes: minutes, reason, result: JSON.stringify(results),
    }).execute();
  }

  return {
    /** A gateway restarted (its heartbeat's uptime went down): every active manual block and allowlist entry goes back. */
    afterRestart(target: GatewayTarget): Promise<number> {
      return run(target, 'gateway restarted', { allowlist: true });
    },
    /**
     * The gateways' blocklists as just read: an active manual block missing on a gateway that
     * started after the block was made goes back on it. `startedAt` gives each gateway's start
     * (ms, from its heartbeats), undefined when unknown (then nothing is re-applied there).
     */
    reconcile(targets: GatewayTarget[], answers: GatewayBlocklist[], startedAt: Map<string, number>): void {
      for (const a of answers) {
        if (!a.ok) continue;
        const target = targets.find((t) => t.gateway_id === a.gateway_id);
        const since = startedAt.get(a.gateway_id);
        if (!target || since === undefined) continue;
        void run(target, 'block missing on the gateway', { allowlist: false, present: new Set(a.blocks.map((b) => b.ip)), since });
      }
    },
  };
}

export type Reapplier = ReturnType<typeof createReapplier>;
