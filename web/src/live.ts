import { useEffect, useRef, useState } from 'react';
import type { LiveTick } from './api';

type Listener = (t: LiveTick) => void;

/** One EventSource for the whole app; pages subscribe to its ticks. */
export function createLiveFeed() {
  const listeners = new Set<Listener>();
  let source: EventSource | null = null;
  let connected = false;
  const statusListeners = new Set<(c: boolean) => void>();
  const setConnected = (c: boolean) => { connected = c; for (const l of statusListeners) l(c); };
  return {
    open() {
      if (source) return;
      source = new EventSource('/api/live');
      source.onopen = () => setConnected(true);
      source.onerror = () => setConnected(false);
      source.addEventListener('tick', (e) => {
        const t = JSON.parse((e as MessageEvent<string>).data) as LiveTick;
        for (const l of listeners) l(t);
      });
    },
    close() { source?.close(); source = null; setConnected(false); },
    subscribe(l: Listener) { listeners.add(l); return () => { listeners.delete(l); }; },
    onStatus(l: (c: boolean) => void) { statusListeners.add(l); l(connected); return () => { statusListeners.delete(l); }; },
  };
}
export type LiveFeed = ReturnType<typeof createLiveFeed>;

/** Calls `fn` on every live tick while mounted. */
export function useLive(feed: LiveFeed, fn: (t: LiveTick) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => feed.subscribe((t) => ref.current(t)), [feed]);
}

export function useLiveStatus(feed: LiveFeed): boolean {
  const [c, setC] = useState(false);
  useEffect(() => feed.onStatus(setC), [feed]);
  return c;
}

/** Re-runs a loader when deps change and every `everyMs`; returns data, error and a reload function. */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], everyMs = 0) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let alive = true;
    const run = () => load().then((d) => { if (alive) { setData(d); setError(null); } }, (e: Error) => { if (alive) setError(e.message); });
    run();
    const t = everyMs ? setInterval(run, everyMs) : null;
    return () => { alive = false; if (t) clearInterval(t); };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}
