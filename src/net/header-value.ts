/** A header value as one string: repeated fields (node:http gives arrays for few) joined with ", ". */
export function joinHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
