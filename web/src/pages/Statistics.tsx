import { get, type Stats } from '../api';
import { BarChart, ShareBar } from '../charts';
import { num } from '../format';
import { usePoll } from '../live';

export function Statistics({ hours }: { hours: number }) {
  const { data: s, error } = usePoll(() => get<Stats>('/api/stats', { hours }), [hours], 10000);
  if (error) return <p className="error">{error}</p>;
  if (!s) return <p className="muted">loading…</p>;
  const p = s.by_prediction;
  const a = s.by_action;
  return (
    <div className="page grid2">
      <section className="panel">
        <h2>Requests by action</h2>
        <div data-testid="by-action">
          <ShareBar parts={[
            { label: 'Allowed', value: a.allow, color: 'var(--good)' },
            { label: 'Challenged', value: a.challenge, color: 'var(--warn)' },
            { label: 'Throttled', value: a.throttle, color: 'var(--accent2)' },
            { label: 'Blocked', value: a.block, color: 'var(--bad)' },
            { label: 'Gateway errors', value: a.error, color: 'var(--muted)' },
          ]} />
        </div>
        <p className="muted">What the gateways did. Blocked counts every blocked request, by the detector or by the blocklist;
          challenged and throttled requests were refused too, not blocked. Gateway errors are the gateways' own error answers
          (no backend reachable or healthy, upstream timeout, request over the limits): neither allowed nor refused.
          Gateways older than this distinction reported their errors as allowed.</p>
        <h3>Detector's verdict</h3>
        <ShareBar parts={[
          { label: 'Normal', value: p.NORMAL?.count ?? 0, color: 'var(--good)' },
          { label: 'Suspicious', value: p.SUSPICIOUS?.count ?? 0, color: 'var(--warn)' },
          { label: 'DDoS', value: p.DDoS?.count ?? 0, color: 'var(--bad)' },
          { label: 'On the blocklist', value: p.BLOCKED?.count ?? 0, color: 'var(--bad2)' },
        ]} />
        <p className="muted">A verdict, not an action: the request that gets a client blocked is DDoS, its later ones are on the blocklist.</p>
      </section>
      <section className="panel">
        <h2>Requests by hour</h2>
        <BarChart testId="by-hour" bars={s.by_hour.map((h) => ({ label: h.hour.slice(11, 13), value: h.requests, value2: h.refused }))} />
        <p className="muted">Dark: requests refused (blocked, throttled or challenged).</p>
        <p className="muted" data-testid="error-summary">Gateway errors in range: {num(s.error_requests)}
          {s.total_requests ? ` (${(s.error_rate * 100).toFixed(2)}% of requests)` : ''}.</p>
      </section>
      <section className="panel">
        <h2>Top attacking IPs</h2>
        <ol className="top" data-testid="top-ips">{s.top_attacking_ips.map((x) => <li key={x.ip}><span className="mono">{x.ip}</span> — {num(x.refused)} refused of {num(x.requests)} (conf. {x.avg_confidence.toFixed(2)})</li>)}</ol>
        {s.top_attacking_ips.length === 0 && <p className="muted">No refused clients in range.</p>}
      </section>
      <section className="panel">
        <h2>Top targeted paths</h2>
        <ol className="top">{s.top_targeted_paths.map((x) => <li key={x.path}><span className="mono">{x.path}</span> — {num(x.count)} req ({num(x.refused)} refused)</li>)}</ol>
      </section>
    </div>
  );
}
