/** A whole-number command-line option in [min, max]; otherwise says which and exits with 2. */
export function wholeNumberArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number between ${min} and ${max}, got ${v}\n`);
    process.exit(2);
  }
  return n;
}
