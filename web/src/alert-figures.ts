import type { Alert, IdsAlertDetails } from './api';
import { num } from './format';

/** The IDS's figures of an alert in one line ("12 attack flows of 40, max p 0.97; DoS 9, PortScan 3"); null when they are not there. */
export function idsFigures(details: Alert['details']): string | null {
  const d = details as Partial<IdsAlertDetails> | null;
  if (!d || typeof d.flows !== 'number' || typeof d.attacks !== 'number') return null;
  const fams = d.families && typeof d.families === 'object'
    ? Object.entries(d.families).filter((e): e is [string, number] => typeof e[1] === 'number').sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    : [];
  const p = typeof d.max_probability === 'number' ? `, max p ${d.max_probability.toFixed(2)}` : '';
  return `${num(d.attacks)} attack flows of ${num(d.flows)}${p}${fams.length ? `; ${fams.map(([f, n]) => `${f} ${num(n)}`).join(', ')}` : ''}`;
}
