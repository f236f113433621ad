import { useState } from 'react';
import { get, type RequestRow, type RequestsPage } from '../api';
import { num, time } from '../format';
import { useLive, usePoll, type LiveFeed } from '../live';

const PREDICTIONS = ['', 'NORMAL', 'SUSPICIOUS', 'DDoS', 'BLOCKED'];

export function Requests({ hours, feed }: { hours: number; feed: LiveFeed }) {
  const [filters, setFilters] = useState({ search: '', prediction: '', is_blocked: '', status: '' });
  const [applied, setApplied] = useState(filters);
  const [page, setPage] = useState(1);
  const [tail, setTail] = useState(true);
  const [liveRows, setLiveRows] = useState<RequestRow[]>([]);
  const params = { hours, page, limit: 50, ...applied };
  const data = usePoll(() => get<RequestsPage>('/api/requests', params), [hours, page, JSON.stringify(applied)], tail ? 0 : 10000);
  useLive(feed, (t) => {
    if (!tail || page !== 1 || Object.values(applied).some(Boolean) || t.events.length === 0) return;
    setLiveRows((rows) => [...t.events.slice().reverse().map((e, i): RequestRow => ({
      id: -Date.now() - i, timestamp: e.timestamp, source_ip: e.source_ip, request_path: e.path, request_method: e.method,
      user_agent: '', prediction: e.prediction, confidence_score: e.confidence, is_blocked: e.is_blocked ? 1 : 0,
      response_status_code: e.status, response_time_ms: 0, gateway_id: e.gateway_id, action: e.action, reason: '', features: null,
    })), ...rows].slice(0, 100));
  });
  const rows = tail && page === 1 ? [...liveRows, ...(data.data?.requests ?? [])].slice(0, 100) : data.data?.requests ?? [];
  const csv = `/api/requests.csv?${new URLSearchParams(Object.entries({ hours: String(hours), ...applied }).filter(([, v]) => v !== '')).toString()}`;
  const apply = () => { setPage(1); setLiveRows([]); setApplied(filters); };

  return (
    <div className="page">
      <form className="filters" onSubmit={(e) => { e.preventDefault(); apply(); }}>
        <input placeholder="Search IP, path or user agent" value={filters.search} data-testid="search"
          onChange={(e) => setFilters({ ...filters, search: e.target.value })} />
        <select value={filters.prediction} onChange={(e) => setFilters({ ...filters, prediction: e.target.value })} aria-label="prediction">
          {PREDICTIONS.map((p) => <option key={p} value={p}>{p || 'any prediction'}</option>)}
        </select>
        <select value={filters.is_blocked} onChange={(e) => setFilters({ ...filters, is_blocked: e.target.value })} aria-label="blocked">
          <option value="">allowed and refused</option><option value="1">refused only (block, throttle, challenge)</option><option value="0">allowed only</option>
        </select>
        <input placeholder="status" inputMode="numeric" value={filters.status} className="narrow"
          onChange={(e) => setFilters({ ...filters, status: e.target.value.replace(/\D/g, '') })} />
        <button type="submit">Filter</button>
        <a className="button" href={csv} download data-testid="csv">Export CSV</a>
        <label className="toggle"><input type="checkbox" checked={tail} onChange={(e) => { setTail(e.target.checked); setLiveRows([]); }} /> live tail</label>
      </form>
      {data.error && <p className="error">{data.error}</p>}
      <p className="muted">{data.data ? `${num(data.data.total)} stored requests match` : 'loading…'}</p>
      <div className="table-wrap">
        <table data-testid="requests-table">
          <thead><tr><th>Time</th><th>Source IP</th><th>Method</th><th>Path</th><th>Status</th><th>Prediction</th><th>Action</th><th>Conf.</th><th>Gateway</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={r.is_blocked ? 'blocked' : ''}>
                <td>{time(r.timestamp)}</td><td className="mono">{r.source_ip}</td><td>{r.request_method}</td>
                <td className="mono path" title={r.request_path}>{r.request_path}</td>
                <td><span className={`status s${String(r.response_status_code)[0]}`}>{r.response_status_code}</span></td>
                <td><span className={`pred p-${r.prediction.toLowerCase()}`}>{r.prediction}</span></td>
                <td title={r.reason}>{r.action}</td><td>{r.confidence_score.toFixed(2)}</td><td>{r.gateway_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
        <span>page {page} of {Math.max(1, data.data?.pages ?? 1)}</span>
        <button disabled={page >= (data.data?.pages ?? 1)} onClick={() => setPage(page + 1)}>Next</button>
      </div>
    </div>
  );
}
