import type { DashboardDeps } from './deps.js';
import { fetchBlocklists, gatewayTargets } from './gateway-admin.js';
import { BLOCKLIST_REASON } from './store/ingest-plan.js';
import { isUninformative } from './store/ingest.js';
import { parseIp } from '../net/ip.js';

/**
 * For clients newly seen blocked whose events only say `blocklist` (blocked through a gateway's
 * admin API, say, so the dashboard saw no decision), asks the gateways' `GET /blocked-ips` why,
 * and records that reason on the client and in its DDoS_Detected alert. Never throws.
 */
export async function refineBlockReasons(d: DashboardDeps, ips: string[]): Promise<number> {
  try {
    if (ips.length === 0) return 0;
    const db = d.store.db;
    const rows = await db.selectFrom('blocked_ips').select(['ip', 'last_reason']).where('ip', 'in', ips.slice(0, 500)).execute();
    const vague = rows.filter((r) => isUninformative(r.last_reason));
    if (vague.length === 0) return 0;
    const lists = await fetchBlocklists(await gatewayTargets(d), d.config.gatewayAdminToken);
    const told = new Map<string, string>();
    for (const l of lists) {
      if (!l.ok) continue;
      for (const b of l.blocks) if (!isUninformative(b.reason) && !told.has(b.ip)) told.set(b.ip, b.reason);
    }
    let changed = 0;
    for (const r of vague) {
      const reason = told.get(parseIp(r.ip) ?? r.ip);
      if (!reason) continue;
      await db.updateTable('blocked_ips').set({ last_reason: reason }).where('ip', '=', r.ip).where('last_reason', '=', r.last_reason).execute();
      const alert = await db.selectFrom('alerts').select(['id', 'message'])
        .where('alert_type', '=', 'DDoS_Detected').where('source_ip', '=', r.ip).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const vagueText = `(${r.last_reason || 'no reason given'})`;
      if (alert && alert.message.includes(vagueText)) {
        await db.updateTable('alerts').set({ message: alert.message.replace(vagueText, `(${reason})`) }).where('id', '=', alert.id).execute();
        changed += 1;
      }
    }
    if (changed) d.hub.notify('alerts', { count: 0, updated: changed });
    return changed;
  } catch (err) {
    d.logger.warn({ err }, `could not ask the gateways why clients refused as "${BLOCKLIST_REASON}" were blocked`);
    return 0;
  }
}
