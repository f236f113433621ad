import { useMemo, useState } from 'react';
import { get, post, type Alert, type Gateway, type Stats, type Timeseries } from '../api';
import { idsFigures } from '../alert-figures';
import { LineChart } from '../charts';
import { ago, dateTime, num, pct, time } from '../format';
import { useLive, usePoll, type LiveFeed } from '../live';
import { SEED_HOURS, seedFromMinutes, serverNow, type RatePoint } from '../live-seed';

const LIVE_POINTS = 120;

export function Overview({ hours, feed }: { hours: number; feed: LiveFeed }) {
  const stats = usePoll(() => get<Stats>('/api/stats', { hours }), [hours], 5000);
  const series = usePoll(() => get<Timeseries>('/api/timeseries', { hours }), [hours], 15000);
  const gws = usePoll(() => get<{ gateways: Gateway[] }>('/api/gateway-status'), [], 5000);
  const alerts = usePoll(() => get<{ alerts: Alert[] }>('/api/alerts', { hours, unacknowledged: 1, limit: 10 }), [hours], 5000);
  const [live, setLive] = useState<RatePoint[]>([]);
  useLive(feed, (tick) => setLive((xs) => [...xs, { t: tick.t, total: tick.total, refused: tick.refused }].slice(-LIVE_POINTS)));
  // The chart starts with the last minutes of per-minute rollups (as per-second averages), read once at page load.
  const [loadedAt] = useState(() => Date.now());
  const recent = usePoll(() => get<Timeseries>('/api/timeseries', { hours: SEED_HOURS }), [], 0);
  const [ackError, setAckError] = useState<string | null>(null);
  const firstLive = live[0]?.t;
  const seed = useMemo(() => {
    if (!recent.data) return [];
    const at = serverNow(recent.data, loadedAt);
    const end = firstLive ? Math.min(Date.parse(firstLive), at) : at;
    // the chart shows refused requests (block + throttle + challenge), from the live ticks and the seed alike
    return seedFromMinutes(recent.data, end, LIVE_POINTS, at);
  }, [recent.data, firstLive, loadedAt]);
  const shown = [...seed, ...live].slice(-LIVE_POINTS);

  const s = stats.data;
  const recentRefused = live.slice(-30).reduce((a, x) => a + x.refused, 0);
  const gateways = gws.data?.gateways ?? [];
  const healthy = gateways.filter((g) => g.status === 'healthy').length;
  const backends = gateways.flatMap((g) => g.backends);
  const backendsUp = backends.filter((b) => b.healthy).length;
  const ack = (id: number) => post(`/api/alerts/${id}/acknowledge`, {}).then(
    () => { setAckError(null); alerts.reload(); },
    (e: Error) => { setAckError(`Failed to acknowledge the alert: ${e.message}`); alerts.reload(); },
  );

  return (
    <div className="page">
      {stats.error && <p className="error">{stats.error}</p>}
      <div className="cards">
        <div className="card" data-testid="total-requests"><h3>Total requests</h3><p className="big">{s ? num(s.total_requests) : '…'}</p><small>{s ? `${s.requests_per_second.toFixed(2)} req/s average` : ''}</small></div>
        <div className="card" data-testid="blocked-requests"><h3>Blocked</h3><p className="big bad">{s ? num(s.by_action.block) : '…'}</p>
          <small>{s ? `${pct(s.blocking_rate)} of requests; also ${num(s.by_action.throttle)} throttled, ${num(s.by_action.challenge)} challenged` : ''}</small></div>
        <div className={`card ${recentRefused > 0 ? 'alarm' : 'calm'}`} data-testid="attack-status">
          <h3>Attack status</h3>
          <p className="big">{recentRefused > 0 ? 'Under attack' : 'No active attack'}</p>
          <small>{recentRefused > 0 ? `${num(recentRefused)} refused (blocked, throttled or challenged) in the last 30 s` : s?.top_attacking_ips[0] ? `top attacker: ${s.top_attacking_ips[0].ip}` : 'nothing blocked in range'}</small>
        </div>
        <div className="card"><h3>Gateways</h3><p className="big">{healthy} / {gateways.length}</p><small>healthy</small></div>
        <div className="card"><h3>Backends</h3><p className="big">{backendsUp} / {backends.length}</p><small>{backends.length === 0 ? 'none reported' : backendsUp === backends.length ? 'all healthy' : 'some down'}</small></div>
      </div>
      <section className="panel">
        <h2>Live request rate <small>(per second, last {LIVE_POINTS} s{shown.some((x) => x.seeded) ? '; before the page opened: per-minute averages' : ''})</small></h2>
        <LineChart testId="live-chart" labels={shown.map((x) => time(x.t))} series={[
          { label: 'requests', color: 'var(--accent)', values: shown.map((x) => x.total) },
          { label: 'refused (block + throttle + challenge)', color: 'var(--bad)', values: shown.map((x) => x.refused) },
        ]} />
        <p className="muted" data-testid="live-count">{num(live.reduce((a, x) => a + x.total, 0))} requests seen live</p>
      </section>
      <section className="panel">
        <h2>Requests over the range <small>({series.data ? `${series.data.step_seconds / 60} min steps` : ''})</small></h2>
        <LineChart labels={(series.data?.points ?? []).map((p) => (hours > 48 ? dateTime(p.t).slice(0, 10) : time(p.t).slice(0, 5)))} series={[
          { label: 'requests', color: 'var(--accent)', values: (series.data?.points ?? []).map((p) => p.requests) },
          { label: 'blocked', color: 'var(--bad)', values: (series.data?.points ?? []).map((p) => p.blocked) },
          { label: 'refused (block + throttle + challenge)', color: 'var(--warn)', values: (series.data?.points ?? []).map((p) => p.refused) },
        ]} />
      </section>
      <section className="panel">
        <h2>Open alerts</h2>
        {ackError && <p className="error" data-testid="ack-error">{ackError}</p>}
        {(alerts.data?.alerts ?? []).length === 0 ? <p className="muted">No open alerts.</p> : (
          <ul className="alerts">
            {alerts.data!.alerts.map((a) => (
              <li key={a.id} className={`sev-${a.severity.toLowerCase()}`}>
                <span className="tag">{a.severity}</span>
                <span className={`tag src src-${a.source}`} data-testid="alert-source" title={a.source === 'ids' ? 'raised by the flow IDS' : 'raised from the gateways\' events'}>{a.source === 'ids' ? 'IDS' : 'gateway'}</span>
                <span>{a.message}</span> <small>{ago(a.timestamp)}</small>
                {a.source === 'ids' && idsFigures(a.details) !== null && <small className="alert-details" data-testid="alert-details">{idsFigures(a.details)}</small>}
                <button onClick={() => void ack(a.id)}>Acknowledge</button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

