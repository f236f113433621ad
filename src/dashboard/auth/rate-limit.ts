/** Fixed-window attempt counter per key (login attempts per client address), bounded in size. */
export function createAttemptLimiter(opts: { max: number; windowMs: number; maxKeys?: number; now: () => number }) {
  const maxKeys = opts.maxKeys ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts an attempt; returns seconds to wait when over the limit, else 0. */
    hit(key: string): number {
      const now = opts.now();
      let w = windows.get(key);
      if (!w || now - w.start >= opts.windowMs) {
        if (!w && windows.size >= maxKeys) {
          for (const [k, v] of windows) if (now - v.start >= opts.windowMs) windows.delete(k);
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        }
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      return w.count > opts.max ? Math.ceil((w.start + opts.windowMs - now) / 1000) : 0;
    },
    reset(key: string): void { windows.delete(key); },
  };
}
