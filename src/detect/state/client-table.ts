/**
 * The bounded client table: a fixed number of slots in typed arrays (struct of arrays), a Map
 * from client key to slot, and an LRU list threaded through two Int32Arrays. Looking up,
 * inserting and evicting are O(1); memory is allocated once for `capacity` clients, so a flood
 * from a million addresses recycles the least recently seen slots instead of growing.
 */
export const RING = 16; // recent requests kept per client for the entropy features

export interface ClientTable {
  readonly capacity: number;
  size(): number;
  evictions(): number;
  /** The slot of `key`, or -1. Does not touch the LRU order. */
  peek(key: string): number;
  /**
   * The slot of `key`, created (evicting the least recently seen client if full) when absent;
   * moved to the LRU front. The result is one object reused by every call: read it before the next.
   */
  touch(key: string): { readonly slot: number; readonly created: boolean };
  keyOf(slot: number): string | undefined;
  /** Approximate bytes held per slot by the typed arrays (excluding the key map). */
  readonly bytesPerSlot: number;
  // Per-slot state. Times in ms since the epoch (Float64) or seconds (Uint32).
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly c1: Float32Array; // decayed request counts, time constants 1 s, 10 s, 60 s
  readonly c10: Float32Array;
  readonly c60: Float32Array;
  readonly peak10: Float32Array;
  readonly iatMean: Float32Array;
  readonly iatVar: Float32Array;
  readonly clMean: Float32Array;
  readonly clVar: Float32Array;
  readonly referer: Float32Array;
  readonly headerCount: Float32Array;
  readonly browser: Float32Array;
  readonly acceptLang: Float32Array;
  readonly cookie: Float32Array;
  readonly sessionKept: Float32Array;
  readonly http10: Float32Array;
  readonly nonGet: Float32Array;
  readonly errors: Float32Array;
  readonly notFound: Float32Array;
  readonly requests: Uint32Array;
  /** Saturating counts (running means switch to a fixed weight after 32, so the cap changes nothing). */
  readonly completed: Uint16Array;
  readonly cookieRequests: Uint16Array;
  readonly lastCookie: Uint32Array;
  readonly lastOffenseSec: Uint32Array;
  readonly lastChallengeSec: Uint32Array;
  readonly offenses: Uint8Array;
  readonly unansweredChallenges: Uint8Array;
  readonly ringPos: Uint8Array;
  readonly ringPath: Uint16Array;
  readonly ringUrl: Uint16Array;
  readonly ringUa: Uint8Array;
  readonly ringSession: Uint8Array;
  /**
   * The same four rings seen as 32-bit words (views of the same memory, nothing more per slot):
   * a full ring that holds one value is recognised with a few word compares instead of a scan
   * (a client that repeats one agent or one path: most floods). A slot's ring starts on a word.
   */
  readonly ringPathWords: Uint32Array;
  readonly ringUrlWords: Uint32Array;
  readonly ringUaWords: Uint32Array;
  readonly ringSessionWords: Uint32Array;
}

export function createClientTable(capacity: number): ClientTable {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`client table capacity must be a positive integer, got ${capacity}`);
  const f64 = () => new Float64Array(capacity);
  const f32 = () => new Float32Array(capacity);
  const arrays = {
    firstSeen: f64(), lastSeen: f64(),
    c1: f32(), c10: f32(), c60: f32(), peak10: f32(), iatMean: f32(), iatVar: f32(), clMean: f32(), clVar: f32(),
    referer: f32(), headerCount: f32(), browser: f32(), acceptLang: f32(), cookie: f32(), sessionKept: f32(),
    http10: f32(), nonGet: f32(), errors: f32(), notFound: f32(),
    requests: new Uint32Array(capacity), completed: new Uint16Array(capacity), cookieRequests: new Uint16Array(capacity),
    lastCookie: new Uint32Array(capacity), lastOffenseSec: new Uint32Array(capacity), lastChallengeSec: new Uint32Array(capacity),
    offenses: new Uint8Array(capacity), unansweredChallenges: new Uint8Array(capacity), ringPos: new Uint8Array(capacity),
    ringPath: new Uint16Array(capacity * RING), ringUrl: new Uint16Array(capacity * RING),
    ringUa: new Uint8Array(capacity * RING), ringSession: new Uint8Array(capacity * RING),
  };
  const words = (a: Uint8Array | Uint16Array) => new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
  const prev = new Int32Array(capacity);
  const next = new Int32Array(capacity);
  const keys: (string | undefined)[] = new Array<string | undefined>(capacity).fill(undefined);
  const index = new Map<string, number>();
  let head = -1; // most recently seen
  let tail = -1; // least recently seen
  let used = 0;
  let evicted = 0;

  let bytesPerSlot = 8 /* prev+next */ + 8 /* key pointer */;
  for (const a of Object.values(arrays)) bytesPerSlot += a.byteLength / capacity;

  function unlink(s: number): void {
    const p = prev[s]!, n = next[s]!;
    if (p >= 0) next[p] = n; else head = n;
    if (n >= 0) prev[n] = p; else tail = p;
  }
  function pushFront(s: number): void {
    prev[s] = -1;
    next[s] = head;
    if (head >= 0) prev[head] = s;
    head = s;
    if (tail < 0) tail = s;
  }
  function reset(s: number): void {
    for (const a of Object.values(arrays)) {
      if (a.length === capacity) a[s] = 0;
    }
    arrays.ringPath.fill(0, s * RING, s * RING + RING);
    arrays.ringUrl.fill(0, s * RING, s * RING + RING);
    arrays.ringUa.fill(0, s * RING, s * RING + RING);
    arrays.ringSession.fill(0, s * RING, s * RING + RING);
  }

  const touched = { slot: 0, created: false };

  return {
    capacity,
    bytesPerSlot,
    size: () => used,
    evictions: () => evicted,
    peek: (key) => index.get(key) ?? -1,
    keyOf: (slot) => keys[slot],
    touch(key) {
      const found = index.get(key);
      if (found !== undefined) {
        if (found !== head) { unlink(found); pushFront(found); }
        touched.slot = found;
        touched.created = false;
        return touched;
      }
      let s: number;
      if (used < capacity) {
        s = used++;
      } else {
        s = tail;
        unlink(s);
        const old = keys[s];
        if (old !== undefined) index.delete(old);
        evicted++;
        reset(s);
      }
      keys[s] = key;
      index.set(key, s);
      pushFront(s);
      touched.slot = s;
      touched.created = true;
      return touched;
    },
    ...arrays,
    ringPathWords: words(arrays.ringPath), ringUrlWords: words(arrays.ringUrl), ringUaWords: words(arrays.ringUa), ringSessionWords: words(arrays.ringSession),
  };
}
