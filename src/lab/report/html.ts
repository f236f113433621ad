import type { ScenarioRun } from '../runner.js';
import { backendCounted, backendNotes, COLUMNS, toRow } from './format.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 560;
const H = 200;
const PAD = { l: 48, r: 48, t: 12, b: 28 };

/**
 * One chart per run: attack requests sent, stopped and reaching the backend per second (left
 * axis), benign success rate (right axis, 0–100 %), the attack window shaded.
 */
export function chartSvg(r: ScenarioRun): string {
  const tl = r.timeline;
  const n = Math.max(tl.length, 1);
  // Without the lab's sink behind the target nothing counted what reached the backend: no such line.
  const counted = backendCounted(r);
  const maxRate = Math.max(1, ...tl.map((p) => Math.max(p.attackSent, counted ? p.attackReached : 0, p.attackStopped)));
  const x = (t: number) => PAD.l + (t / n) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / maxRate) * (H - PAD.t - PAD.b);
  const yPct = (v: number) => H - PAD.b - v * (H - PAD.t - PAD.b);
  // A series is drawn in segments: a second without data (null) leaves a gap, not a made-up line.
  const line = (vals: (number | null)[], scale: (v: number) => number, color: string, dash = '') => {
    const segments: string[][] = [[]];
    vals.forEach((v, i) => {
      if (v === null) segments.push([]);
      else segments[segments.length - 1]?.push(`${x(i + 0.5).toFixed(1)},${scale(v).toFixed(1)}`);
    });
    return segments.filter((p) => p.length > 0).map((pts) => (pts.length === 1
      ? `<circle cx="${pts[0]?.split(',')[0]}" cy="${pts[0]?.split(',')[1]}" r="2" fill="${color}"/>`
      : `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.join(' ')}"/>`)).join('');
  };
  const tick = (v: number) => (maxRate < 10 ? v.toFixed(1) : String(Math.round(v)));
  const shade = `<rect x="${x(r.attackStartMs / 1000).toFixed(1)}" y="${PAD.t}" width="${Math.max(0, x(Math.min(r.attackEndMs, r.durationSec * 1000) / 1000) - x(r.attackStartMs / 1000)).toFixed(1)}" height="${H - PAD.t - PAD.b}" fill="#f4e3e3"/>`;
  const ticks = [0, 0.5, 1].map((f) => `<text x="${PAD.l - 4}" y="${y(maxRate * f) + 4}" text-anchor="end">${tick(maxRate * f)}</text>` +
    `<text x="${W - PAD.r + 4}" y="${yPct(f) + 4}">${f * 100}%</text>`).join('');
  const xt = Array.from({ length: n + 1 }, (_, t) => t).filter((t) => t % Math.max(1, Math.ceil(n / 10)) === 0)
    .map((t) => `<text x="${x(t)}" y="${H - PAD.b + 14}" text-anchor="middle">${t}s</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="10">
${shade}<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#888"/>
<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#888"/><line x1="${W - PAD.r}" y1="${PAD.t}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#888"/>
${ticks}${xt}
${line(tl.map((p) => p.attackSent), y, '#d62728')}
${line(tl.map((p) => p.attackStopped), y, '#2ca02c')}
${counted ? line(tl.map((p) => p.attackReached), y, '#ff7f0e', '4 3') : ''}
${line(tl.map((p) => (p.benignSent ? p.benignOk / p.benignSent : null)), yPct, '#1f77b4')}
</svg>`;
}

const LEGEND = '<p class="legend"><span style="color:#d62728">■ attack answered/s</span> <span style="color:#2ca02c">■ attack stopped/s</span> ' +
  '<span style="color:#ff7f0e">■ attack reaching backend/s</span> <span style="color:#1f77b4">■ benign success (right axis)</span> ' +
  '<span style="background:#f4e3e3">&nbsp;attack window&nbsp;</span></p>';

/** A self-contained HTML report (no external assets). */
export function renderHtml(runs: readonly ScenarioRun[], meta: { command: string; generatedAt: string; machine: string; revision?: string }): string {
  const rows = runs.map(toRow);
  const table = `<table><thead><tr>${COLUMNS.map(([, h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${COLUMNS.map(([k]) => `<td>${esc(r[k])}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
  const byScenario = new Map<string, ScenarioRun[]>();
  for (const r of runs) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const charts = [...byScenario.entries()].map(([name, rs]) => `<section><h2>${esc(name)}</h2><p>${esc(rs[0]?.description ?? '')}</p>${LEGEND}<div class="grid">${
    rs.map((r) => `<figure>${chartSvg(r)}<figcaption>${esc(r.target)}: ${esc(r.targetDescription)}</figcaption></figure>`).join('')}</div></section>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ddos-shield lab report</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;max-width:560px}.legend{font-size:12px}code{background:#f3f3f3;padding:1px 4px}</style></head>
<body><h1>ddos-shield lab report</h1><p>Generated ${esc(meta.generatedAt)} on ${esc(meta.machine)}, code at ${esc(meta.revision ?? 'an unknown revision')}. Reproduce with <code>${esc(meta.command)}</code>.</p>
${backendNotes(runs).map((n) => `<p class="note"><strong>${esc(n)}</strong></p>\n`).join('')}${table}
${charts}
</body></html>
`;
}
