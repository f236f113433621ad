import { useState } from 'react';
import { get, post, type BlockedIp, type History, type Me, type Stats } from '../api';
import { ago, dateTime, num } from '../format';
import { usePoll } from '../live';

function Explanation({ features, reason }: { features: Record<string, number> | null; reason: string }) {
  const entries = Object.entries(features ?? {}).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  return (
    <div className="explain">
      <p><strong>Reason:</strong> {reason || 'not given'}</p>
      {entries.length > 0 && (
        <table><thead><tr><th>Feature</th><th>Value</th></tr></thead>
          <tbody>{entries.map(([k, v]) => <tr key={k}><td className="mono">{k}</td><td>{Number.isInteger(v) ? v : v.toFixed(3)}</td></tr>)}</tbody></table>
      )}
    </div>
  );
}

function statusTitle(r: BlockedIp): string {
  switch (r.status) {
    case 'active': return `blocked on ${r.blocked_on.join(', ')}${r.expires_at ? ` until ${dateTime(r.expires_at)}` : ''}`;
    case 'unknown': return r.unreachable_gateways.length ? `no answer from ${r.unreachable_gateways.join(', ')}` : 'no gateway admin API known to ask';
    case 'expired': return 'no gateway blocks it any longer';
    default: return `no gateway blocks it; ${r.status} from the dashboard`;
  }
}

export function Blocked({ hours, me }: { hours: number; me: Me }) {
  const list = usePoll(() => get<BlockedIp[]>('/api/blocked-ips', { hours }), [hours], 5000);
  // the range's blocked requests, counted as on the Statistics page (action block, from the rollups)
  const stats = usePoll(() => get<Stats>('/api/stats', { hours }), [hours], 5000);
  const [ip, setIp] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const admin = me.role === 'admin';

  const act = async (path: string, body: unknown) => {
    setMessage(null);
    try {
      const r = await post<{ status: string; message: string }>(path, body);
      setMessage({ text: r.message, failed: r.status !== 'success' });
    } catch (e) {
      setMessage({ text: `Failed: ${(e as Error).message}`, failed: true });
    }
    list.reload();
    stats.reload();
  };
  const showHistory = async (x: string) => {
    try {
      setHistory(await get<History>('/api/block-history', { ip: x }));
    } catch (e) {
      setMessage({ text: `Failed to load the history of ${x}: ${(e as Error).message}`, failed: true });
    }
  };
  const rows = list.data ?? [];
  const unreachable = [...new Set(rows.flatMap((r) => r.unreachable_gateways))];

  return (
    <div className="page">
      {admin && (
        <form className="filters" onSubmit={(e) => { e.preventDefault(); void act('/api/block-ip', { ip: ip.trim(), duration_minutes: minutes }); }}>
          <input placeholder="IP address to block" value={ip} onChange={(e) => setIp(e.target.value)} data-testid="block-ip-input" />
          <input type="number" min={1} value={minutes} className="narrow" onChange={(e) => setMinutes(Number(e.target.value))} aria-label="minutes" />
          <span>minutes</span>
          <button type="submit" data-testid="block-ip-submit">Block on all gateways</button>
        </form>
      )}
      {message && <p className={message.failed ? 'error' : 'notice'} data-testid="action-message">{message.text}</p>}
      {list.error && <p className="error">{list.error}</p>}
      {unreachable.length > 0 && (
        <p className="error" data-testid="unreachable">Could not read the blocklist of {unreachable.join(', ')}: a client no other gateway blocks is shown as unknown.</p>
      )}
      <p className="muted" data-testid="blocked-summary">
        {rows.length} clients, {rows.filter((r) => r.status === 'active').length} blocked now; {stats.data ? num(stats.data.by_action.block) : '…'} blocked requests in range
      </p>
      <div className="table-wrap">
        <table data-testid="blocked-table">
          <thead><tr><th>Source IP</th><th title="blocked requests seen from this client, all time">Blocks (all time)</th><th>Avg conf.</th><th>Status</th><th>Last blocked</th><th>Reason</th><th>Actions</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.ip} data-ip={r.ip}>
                <td className="mono">{r.ip}</td><td>{num(r.block_count)}</td><td>{r.avg_confidence.toFixed(2)}</td>
                <td><span className={`tag st-${r.status}`} data-testid="block-status" title={statusTitle(r)}>{r.status}</span></td>
                <td title={dateTime(r.last_blocked)}>{ago(r.last_blocked)}</td>
                <td data-testid="block-reason" title={r.source ? `blocked by: ${r.source}` : undefined}>{r.reason}</td>
                <td className="actions">
                  <button onClick={() => void showHistory(r.ip)}>Details</button>
                  {admin && (r.status === 'active' || r.status === 'unknown') && <button onClick={() => void act('/api/unblock-ip', { ip: r.ip })} data-testid="unblock">Unblock</button>}
                  {admin && r.status !== 'allowlisted' && <button onClick={() => void act('/api/unblock-ip', { ip: r.ip, allowlist: true })}>Allowlist</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history && (
        <section className="panel" data-testid="history">
          <h2>Client {history.ip} <button onClick={() => setHistory(null)}>Close</button></h2>
          {history.summary && (
            <>
              <p>Blocked {num(history.summary.block_count)} times, first {dateTime(history.summary.first_blocked)}, last {dateTime(history.summary.last_blocked)}; state {history.summary.state}.</p>
              <Explanation features={history.summary.features} reason={history.summary.reason} />
            </>
          )}
          <h3>History</h3>
          {history.actions.length === 0 ? <p className="muted">No manual actions.</p> : (
            <ul>{history.actions.map((a) => (
              <li key={a.id}>{dateTime(a.timestamp)}: {a.action} by {a.actor}{a.duration_minutes ? ` for ${a.duration_minutes} min` : ''} — done on {a.results.filter((x) => x.ok).length}/{a.results.length} gateways
                {a.results.some((x) => x.note || !x.ok) && ` (${a.results.filter((x) => x.note || !x.ok).map((x) => `${x.gateway_id}: ${x.ok ? x.note : `failed, ${x.error ?? `HTTP ${x.status ?? '?'}`}`}`).join('; ')})`}</li>
            ))}</ul>
          )}
        </section>
      )}
    </div>
  );
}
