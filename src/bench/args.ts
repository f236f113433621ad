/** A whole-number command-line option in [min, max]; otherwise says which and exits with 2. */
export function wholeNumberArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number between ${min} and ${max}, got ${v}\n`);
    process.exit(2);
  }
  return n;
}

/** The targets `--only` names (all of them when it names none); an unknown name is said and exits with 2. */
export function onlyTargets<T extends { key: string }>(all: readonly T[], only: readonly string[]): T[] {
  for (const o of only) {
    if (!all.some((t) => t.key === o)) {
      process.stderr.write(`--only ${o}: not one of ${all.map((t) => t.key).join(', ')}\n`);
      process.exit(2);
    }
  }
  return only.length > 0 ? all.filter((t) => only.includes(t.key)) : [...all];
}
