/*
 * Finding the end of a head in a read. The head is looked for in a latin1 copy of the read's
 * first bytes, which the parser then goes on with: V8 searches a string for a fraction of what a
 * Buffer.indexOf call costs, and a slice of that string is a view, not another copy. A head that
 * ends past the copy is found in the buffer itself.
 */

const CRLF2 = Buffer.from('\r\n\r\n');

/** A latin1 copy of the first `bytes` of `buf` (all of it when shorter). */
export function scanOf(buf: Buffer, bytes: number): string {
  return buf.toString('latin1', 0, buf.length <= bytes ? buf.length : bytes);
}

/** Where the blank line that ends a head starts: in `scan` (scanOf(buf, ...)), else in the rest of `buf`; -1 when it has not come yet. */
export function headEnd(buf: Buffer, scan: string): number {
  const end = scan.indexOf('\r\n\r\n');
  return end >= 0 || scan.length >= buf.length ? end : buf.indexOf(CRLF2);
}

/** buf[from, to) as latin1: a slice of `scan` when it covers it, else a copy from `buf`. */
export function latin1Of(buf: Buffer, scan: string, from: number, to: number): string {
  return to <= scan.length ? scan.slice(from, to) : buf.toString('latin1', from, to);
}
