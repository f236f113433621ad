/** Whether s[start, start + lower.length) equals `lower` ignoring ASCII case (`lower` is lower-case letters, digits and '-'). */
export function eqLower(s: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const b = s.charCodeAt(start + i);
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A space or a horizontal tab (optional whitespace around a field value, RFC 9110 §5.6.3). */
export const isBlank = (c: number) => c === 32 || c === 9;
