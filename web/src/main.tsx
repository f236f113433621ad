import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { get, post, type Me } from './api';
import { RANGES } from './format';
import { createLiveFeed, useLiveStatus } from './live';
import { Overview } from './pages/Overview';
import { Requests } from './pages/Requests';
import { Blocked } from './pages/Blocked';
import { Statistics } from './pages/Statistics';
import { Gateways } from './pages/Gateways';
import { Login } from './pages/Login';
import './styles.css';

const PAGES = [
  { id: 'overview', label: 'Overview' }, { id: 'requests', label: 'Request log' }, { id: 'blocked', label: 'Blocked' },
  { id: 'statistics', label: 'Statistics' }, { id: 'gateways', label: 'Gateways' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): PageId {
  const h = window.location.hash.replace(/^#\/?/, '');
  return (PAGES.find((p) => p.id === h)?.id ?? 'overview');
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [page, setPage] = useState<PageId>(pageFromHash());
  const [hours, setHours] = useState<number>(Number(localStorage.getItem('range')) || 24);
  const feed = useMemo(() => createLiveFeed(), []);
  const live = useLiveStatus(feed);

  useEffect(() => {
    get<{ authenticated: boolean } & Partial<Me>>('/api/session').then(
      (s) => setMe(s.authenticated ? { username: s.username!, role: s.role!, kind: s.kind ?? 'user' } : null),
      () => setMe(null),
    );
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (me) feed.open(); else feed.close();
  }, [me, feed]);
  useEffect(() => { localStorage.setItem('range', String(hours)); }, [hours]);

  if (me === undefined) return <p className="muted">loading…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  const logout = () => post('/api/logout', {}).finally(() => setMe(null));

  return (
    <>
      <header>
        <strong className="brand">ddos-shield</strong>
        <nav>
          {PAGES.map((p) => <a key={p.id} href={`#/${p.id}`} className={p.id === page ? 'active' : ''} data-testid={`nav-${p.id}`}>{p.label}</a>)}
        </nav>
        <div className="range" role="group" aria-label="time range">
          {RANGES.map((r) => <button key={r.hours} className={r.hours === hours ? 'active' : ''} onClick={() => setHours(r.hours)}>{r.label}</button>)}
        </div>
        <span className={`dot ${live ? 'on' : 'off'}`} title={live ? 'live updates connected' : 'live updates disconnected'} data-testid="live-dot" />
        <span className="user">{me.username} ({me.role}) <button onClick={() => void logout()}>Log out</button></span>
      </header>
      <main>
        <h1>{PAGES.find((p) => p.id === page)!.label} <small>last {RANGES.find((r) => r.hours === hours)?.label ?? `${hours} h`}</small></h1>
        {page === 'overview' && <Overview hours={hours} feed={feed} />}
        {page === 'requests' && <Requests hours={hours} feed={feed} />}
        {page === 'blocked' && <Blocked hours={hours} me={me} />}
        {page === 'statistics' && <Statistics hours={hours} />}
        {page === 'gateways' && <Gateways />}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
