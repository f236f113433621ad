export type Cell = string | number | null | undefined;

export interface TableOptions {
  /** Per column: 'l' or 'r' (numbers default to right-aligned by the first row). */
  align?: readonly ('l' | 'r')[];
  /** Digits after the point for numbers that are not integers (default 2). */
  digits?: number;
}

function fmt(c: Cell, digits: number): string {
  if (c === null || c === undefined) return '–';
  if (typeof c === 'number') {
    if (!Number.isFinite(c)) return '–';
    return Number.isInteger(c) ? String(c) : c.toFixed(digits);
  }
  return c.replace(/\|/g, '\\|');
}

/** A GitHub-flavoured markdown table, columns padded so it also reads well as plain text. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const digits = opts.digits ?? 2;
  const text = rows.map((r) => headers.map((_, i) => fmt(r[i], digits)));
  const align = headers.map((_, i) => opts.align?.[i] ?? (typeof rows[0]?.[i] === 'number' ? 'r' : 'l'));
  const width = headers.map((h, i) => Math.max(3, h.length, ...text.map((r) => (r[i] as string).length)));
  const pad = (s: string, i: number) => (align[i] === 'r' ? s.padStart(width[i] as number) : s.padEnd(width[i] as number));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${width.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}
