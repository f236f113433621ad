import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** First executable among PATH entries and the extra directories; null when there is none. */
export function findBinary(name: string, extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin', '/sbin']): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}
