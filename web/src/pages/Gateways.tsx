import { get, type Gateway } from '../api';
import { ago, duration, num, pct } from '../format';
import { usePoll } from '../live';

export function Gateways() {
  const { data, error } = usePoll(() => get<{ gateways: Gateway[] }>('/api/gateway-status'), [], 5000);
  if (error) return <p className="error">{error}</p>;
  const gws = data?.gateways ?? [];
  return (
    <div className="page cards" data-testid="gateways">
      {gws.length === 0 && <p className="muted">No gateway has reported yet. Start a gateway with DASHBOARD_URL set.</p>}
      {gws.map((g) => (
        <section key={g.id} className={`card gw st-${g.status}`}>
          <h3>{g.id} {g.ip && <small>{g.ip}</small>}</h3>
          <p>Status: <strong className={`tag st-${g.status}`}>{g.status.toUpperCase()}</strong></p>
          <p>Uptime: {duration(g.uptime_seconds)}</p>
          <p>Requests: {num(g.requests_processed)}</p>
          {g.actions ? (
            <p data-testid="gateway-actions">
              Blocked: {num(g.actions.block)} ({pct(g.actions.total ? g.actions.block / g.actions.total : 0)}),
              throttled: {num(g.actions.throttle)}, challenged: {num(g.actions.challenge)}, errors: {num(g.actions.error)}
            </p>
          ) : g.heartbeat_actions ? (
            <p data-testid="gateway-actions" title={g.actions_error ?? ''}>
              Blocked: {num(g.heartbeat_actions.block)} ({pct(g.requests_processed ? g.heartbeat_actions.block / g.requests_processed : 0)}),
              throttled: {num(g.heartbeat_actions.throttle)}, challenged: {num(g.heartbeat_actions.challenge)}, errors: {num(g.heartbeat_actions.error)}
              <small> — as of the last heartbeat{g.actions_error ? ` (gateway not asked: ${g.actions_error})` : ''}</small>
            </p>
          ) : (
            <p title={g.actions_error ?? ''}>Refused (blocked, throttled or challenged): {num(g.refused_count)} ({pct(g.requests_processed ? g.refused_count / g.requests_processed : 0)})
              <small> — per action: unavailable{g.actions_error ? ` (${g.actions_error})` : ''}</small></p>
          )}
          {g.avg_response_time_ms !== null && <p>Avg response time: {g.avg_response_time_ms.toFixed(1)} ms</p>}
          <p>Last seen: {ago(g.last_seen)}</p>
          {g.backends.length > 0 && <ul>{g.backends.map((b) => (
            <li key={b.url}>{b.healthy ? '✅' : '❌'} <span className="mono">{b.url}</span>{b.avg_response_time_ms !== undefined ? ` ${b.avg_response_time_ms.toFixed(1)} ms` : ''}</li>
          ))}</ul>}
        </section>
      ))}
    </div>
  );
}
