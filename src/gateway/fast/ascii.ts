/** Whether s[start, start + lower.length) equals `lower` ignoring ASCII case (`lower` is lower-case letters, digits and '-'). */
export function eqLower(s: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const b = s.charCodeAt(start + i);
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A space or a horizontal tab (optional whitespace around a field value, RFC 9110 §5.6.3). */
const isBlank = (c: number) => c === 32 || c === 9;

/** Where a field value in s[from, to) starts, past the optional whitespace before it. */
export function valueStart(s: string, from: number, to: number): number {
  let i = from;
  while (i < to && isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** Where a field value that starts at `from` ends, before the optional whitespace up to `to`. */
export function valueEnd(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isBlank(s.charCodeAt(i - 1))) i--;
  return i;
}
