/** Small dependency-free SVG charts. */

export interface Series { label: string; color: string; values: number[] }

export function LineChart({ series, labels, height = 180, testId }: { series: Series[]; labels: string[]; height?: number; testId?: string }) {
  const w = 600;
  const h = height;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => pad.l + (n <= 1 ? 0 : (i / (n - 1)) * (w - pad.l - pad.r));
  const y = (v: number) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const ticks = [0, max / 2, max];
  const every = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" data-testid={testId} preserveAspectRatio="none">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={pad.l} x2={w - pad.r} y1={y(t)} y2={y(t)} className="grid" />
          <text x={pad.l - 4} y={y(t) + 4} textAnchor="end" className="axis">{formatTick(t)}</text>
        </g>
      ))}
      {labels.map((l, i) => (i % every === 0 ? <text key={i} x={x(i)} y={h - 6} textAnchor="middle" className="axis">{l}</text> : null))}
      {series.map((s) => (
        <polyline key={s.label} fill="none" stroke={s.color} strokeWidth={2} vectorEffect="non-scaling-stroke"
          points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
      ))}
    </svg>
  );
}

export function BarChart({ bars, height = 180, testId }: { bars: { label: string; value: number; value2?: number }[]; height?: number; testId?: string }) {
  const w = 600;
  const h = height;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  const max = Math.max(1, ...bars.map((b) => b.value));
  const bw = (w - pad.l - pad.r) / Math.max(1, bars.length);
  const y = (v: number) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const every = Math.max(1, Math.ceil(bars.length / 8));
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" data-testid={testId} preserveAspectRatio="none">
      {[0, max / 2, max].map((t) => (
        <g key={t}>
          <line x1={pad.l} x2={w - pad.r} y1={y(t)} y2={y(t)} className="grid" />
          <text x={pad.l - 4} y={y(t) + 4} textAnchor="end" className="axis">{formatTick(t)}</text>
        </g>
      ))}
      {bars.map((b, i) => (
        <g key={i}>
          <rect x={pad.l + i * bw + 1} y={y(b.value)} width={Math.max(1, bw - 2)} height={h - pad.b - y(b.value)} className="bar">
            <title>{`${b.label}: ${b.value}${b.value2 !== undefined ? ` (${b.value2} refused)` : ''}`}</title>
          </rect>
          {b.value2 !== undefined && <rect x={pad.l + i * bw + 1} y={y(b.value2)} width={Math.max(1, bw - 2)} height={h - pad.b - y(b.value2)} className="bar blocked" />}
          {i % every === 0 && <text x={pad.l + i * bw + bw / 2} y={h - 6} textAnchor="middle" className="axis">{b.label}</text>}
        </g>
      ))}
    </svg>
  );
}

export function ShareBar({ parts }: { parts: { label: string; value: number; color: string }[] }) {
  const total = parts.reduce((a, p) => a + p.value, 0) || 1;
  return (
    <div className="sharebar">
      <div className="sharebar-track">
        {parts.map((p) => <div key={p.label} style={{ width: `${(p.value / total) * 100}%`, background: p.color }} title={`${p.label}: ${p.value}`} />)}
      </div>
      <ul className="legend">
        {parts.map((p) => (
          <li key={p.label}><span className="swatch" style={{ background: p.color }} />{p.label}: {p.value.toLocaleString('en-US')} ({((p.value / total) * 100).toFixed(2)}%)</li>
        ))}
      </ul>
    </div>
  );
}

function formatTick(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v % 1 ? v.toFixed(1) : String(v);
}
