import { get, type Stats } from '../api';
import { BarChart, ShareBar } from '../charts';
import { num } from '../format';
import { usePoll } from '../live';

export function Statistics({ hours }: { hours: number }) {
  const { data: s, error } = usePoll(() => get<Stats>('/api/stats', { hours }), [hours], 10000);
  if (error) return <p className="error">{error}</p>;
  if (!s) return <p className="muted">loading…</p>;
  const p = s.by_prediction;
  return (
    <div className="page grid2">
      <section className="panel">
        <h2>Requests by type</h2>
        <ShareBar parts={[
          { label: 'Normal', value: p.NORMAL?.count ?? 0, color: 'var(--good)' },
          { label: 'Suspicious', value: p.SUSPICIOUS?.count ?? 0, color: 'var(--warn)' },
          { label: 'DDoS', value: p.DDoS?.count ?? 0, color: 'var(--bad)' },
          { label: 'Blocked', value: p.BLOCKED?.count ?? 0, color: 'var(--bad2)' },
        ]} />
        <h3>By action</h3>
        <ShareBar parts={Object.entries(s.by_action).map(([k, v], i) => ({ label: k, value: v, color: ['var(--good)', 'var(--warn)', 'var(--accent2)', 'var(--bad)'][i] ?? 'gray' }))} />
      </section>
      <section className="panel">
        <h2>Requests by hour</h2>
        <BarChart testId="by-hour" bars={s.by_hour.map((h) => ({ label: h.hour.slice(11, 13), value: h.requests, value2: h.blocked }))} />
      </section>
      <section className="panel">
        <h2>Top attacking IPs</h2>
        <ol className="top" data-testid="top-ips">{s.top_attacking_ips.map((x) => <li key={x.ip}><span className="mono">{x.ip}</span> — {num(x.count)} blocks (conf. {x.avg_confidence.toFixed(2)})</li>)}</ol>
        {s.top_attacking_ips.length === 0 && <p className="muted">No blocked clients in range.</p>}
      </section>
      <section className="panel">
        <h2>Top targeted paths</h2>
        <ol className="top">{s.top_targeted_paths.map((x) => <li key={x.path}><span className="mono">{x.path}</span> — {num(x.count)} req ({num(x.blocked)} blocked)</li>)}</ol>
      </section>
    </div>
  );
}
