export const num = (n: number): string => n.toLocaleString('en-US');
export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
export const time = (iso: string): string => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
export const dateTime = (iso: string): string => new Date(iso).toLocaleString('en-GB', { hour12: false });
export function duration(s: number): string {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(s % 60)}s`;
}
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 5 ? 'just now' : s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}

export const RANGES = [
  { label: '1 h', hours: 1 }, { label: '6 h', hours: 6 }, { label: '24 h', hours: 24 }, { label: '7 d', hours: 168 }, { label: '30 d', hours: 720 },
] as const;
