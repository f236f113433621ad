import { Counter, type Registry } from 'prom-client';

/** A counter child for the request path: a plain number, handed to prom-client when scraped. */
export interface HotCount {
  inc(n?: number): void;
}

interface Child { labels: Record<string, string>; n: number; reported: number }

/**
 * A prom-client Counter whose children count in plain numbers: prom-client validates and hashes
 * the label set on every `inc` even for bound children, which costs microseconds per request on
 * the hot path. The totals are added to the Counter in its collect hook, so a scrape always sees
 * every increment made before it.
 */
export function createHotCounter<L extends string>(cfg: { name: string; help: string; labelNames?: readonly L[]; registers: Registry[] }) {
  const children: Child[] = [];
  const byKey = new Map<string, HotCount>();
  const flush = (c: Counter<L>) => {
    for (const ch of children) {
      const d = ch.n - ch.reported;
      if (d > 0) { c.inc(ch.labels as Partial<Record<L, string>>, d); ch.reported = ch.n; }
    }
  };
  const metric: Counter<L> = new Counter<L>({
    name: cfg.name, help: cfg.help, labelNames: cfg.labelNames ?? [], registers: cfg.registers,
    collect() { flush(this); },
  });
  const names = cfg.labelNames ?? [];
  const byValues = new Map<string, HotCount>();
  const api = {
    metric,
    /** The child for label values in `labelNames` order, as prom-client's `labels(...)` (cached by value). */
    labels(...values: string[]): HotCount {
      const key = values.join('\u0000');
      let h = byValues.get(key);
      if (!h) {
        const labels: Partial<Record<L, string>> = {};
        names.forEach((n, i) => { labels[n] = values[i] ?? ''; });
        h = api.child(labels);
        byValues.set(key, h);
      }
      return h;
    },
    /** The child for one label set (made once; keep it). */
    child(labels: Partial<Record<L, string>> = {}): HotCount {
      const key = JSON.stringify(labels);
      let h = byKey.get(key);
      if (!h) {
        const ch: Child = { labels: labels as Record<string, string>, n: 0, reported: 0 };
        children.push(ch);
        h = { inc(n = 1) { ch.n += n; } };
        byKey.set(key, h);
      }
      return h;
    },
  };
  return api;
}

/** A histogram child for the request path: bucket counts in a typed array. */
export interface HotObserve {
  observe(value: number): void;
}

/**
 * A Prometheus histogram kept in plain typed arrays (one per label set) and rendered in the
 * registry's format when scraped; same text as a prom-client Histogram, without the per-call
 * label validation and hashing.
 */
export function createHotHistogram<L extends string>(cfg: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[]; registry: Registry }) {
  const bounds = [...cfg.buckets].sort((a, b) => a - b);
  const series: { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }[] = [];
  const byKey = new Map<string, HotObserve>();
  const metric = {
    name: cfg.name,
    help: cfg.help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const s of series) {
        let acc = 0;
        for (let i = 0; i < bounds.length; i++) {
          acc += s.counts[i]!;
          values.push({ labels: { le: bounds[i]!, ...s.labels }, value: acc, metricName: `${cfg.name}_bucket` });
        }
        values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${cfg.name}_bucket` });
        values.push({ labels: s.labels, value: s.sum, metricName: `${cfg.name}_sum` });
        values.push({ labels: s.labels, value: s.count, metricName: `${cfg.name}_count` });
      }
      return { name: cfg.name, help: cfg.help, type: 'histogram', values, aggregator: 'sum' };
    },
    reset() {
      for (const s of series) { s.counts.fill(0); s.sum = 0; s.count = 0; }
    },
  };
  cfg.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    child(labels: Record<L, string>): HotObserve {
      const key = JSON.stringify(labels);
      let h = byKey.get(key);
      if (!h) {
        const s = { labels: labels as Record<string, string>, counts: new Float64Array(bounds.length), sum: 0, count: 0 };
        series.push(s);
        h = {
          observe(v) {
            s.sum += v;
            s.count++;
            for (let i = 0; i < bounds.length; i++) if (v <= bounds[i]!) { s.counts[i] = s.counts[i]! + 1; return; }
          },
        };
        byKey.set(key, h);
      }
      return h;
    },
  };
}
