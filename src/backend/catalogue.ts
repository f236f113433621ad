/**
 * A deterministic in-memory book catalogue: the same seed always yields the same books,
 * generated from fixed word lists (no external data).
 */

export interface Book {
  id: number;
  title: string;
  author: string;
  genre: string;
  year: number;
  pages: number;
  isbn: string;
  summary: string;
  /** ISO date (YYYY-MM-DD) the book joined the catalogue. */
  added: string;
  copies: number;
  available: number;
}

export type BookSort = 'id' | 'title' | 'recent';
export const BOOK_SORTS: readonly BookSort[] = ['id', 'title', 'recent'];

export interface ListOptions {
  offset: number;
  limit: number;
  /** Case-insensitive; every whitespace-separated term must occur in title or author. */
  q?: string;
  sort?: BookSort;
}

export interface ListResult {
  total: number;
  items: Book[];
}

export interface CatalogueStats {
  books: number;
  authors: number;
  genres: number;
  copies: number;
  available: number;
}

export interface Catalogue {
  readonly size: number;
  get(id: number): Book | undefined;
  list(opts: ListOptions): ListResult;
  /** Other books by the same author, then of the same genre; never the book itself. */
  related(id: number, max: number): Book[];
  /** A stable selection for the home page. */
  featured(max: number): Book[];
  stats(): CatalogueStats;
}

export interface CatalogueOptions {
  seed?: number;
  size?: number;
}

export const DEFAULT_CATALOGUE_SEED = 20_240_101;
export const DEFAULT_CATALOGUE_SIZE = 200;

const ADJECTIVES = [
  'Silent', 'Crimson', 'Hidden', 'Last', 'Golden', 'Broken', 'Distant', 'Quiet', 'Burning',
  'Forgotten', 'Northern', 'Hollow', 'Endless', 'Secret', 'Wandering', 'Lost', 'Iron', 'Pale',
  'Restless', 'Winter', 'Amber', 'Velvet', 'Bitter', 'Shining',
];
const NOUNS = [
  'River', 'Garden', 'Lighthouse', 'Archive', 'Harbor', 'Mountain', 'Clock', 'Library', 'Orchard',
  'Kingdom', 'Mirror', 'Compass', 'Forest', 'Island', 'Lantern', 'Bridge', 'Tower', 'Voyage',
  'Letter', 'Storm', 'Map', 'Summer', 'Engine', 'Tide', 'Meadow', 'Cartographer',
];
const FIRST_NAMES = [
  'Ada', 'Bruno', 'Clara', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Keiko',
  'Lars', 'Maya', 'Nils', 'Olga', 'Pablo', 'Rosa', 'Samir', 'Tove', 'Umberto', 'Vera', 'Wen',
];
const LAST_NAMES = [
  'Albright', 'Berg', 'Castillo', 'Dubois', 'Eriksen', 'Fontaine', 'Garcia', 'Hartmann',
  'Ishikawa', 'Jovanovic', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov',
  'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Underwood', 'Varga',
];
const GENRES = [
  'Fiction', 'Mystery', 'Science Fiction', 'Fantasy', 'History', 'Biography', 'Poetry',
  'Travel', 'Science', 'Philosophy',
];
const SUMMARY_OPENINGS = [
  'A sweeping tale of', 'A quiet meditation on', 'An unflinching account of',
  'A playful exploration of', 'A gripping story of', 'A patient study of',
];
const SUMMARY_SUBJECTS = [
  'memory and loss', 'a family across three generations', 'an unlikely friendship',
  'ambition and its price', 'a city on the edge of change', 'the sea and those who cross it',
  'courage in small places', 'a journey nobody planned', 'the weight of old promises',
];

const AUTHOR_COUNT = 60;
const ADDED_EPOCH_MS = Date.UTC(2022, 0, 1);
const DAY_MS = 86_400_000;

/** mulberry32: a tiny, fast, seedable PRNG; returns floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return function prng() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function intBetween(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function isbn13(rand: () => number): string {
  const digits = [9, 7, 8];
  for (let i = 0; i < 9; i++) digits.push(Math.floor(rand() * 10));
  const sum = digits.reduce((s, d, i) => s + d * (i % 2 === 0 ? 1 : 3), 0);
  digits.push((10 - (sum % 10)) % 10);
  return digits.join('');
}

function makeTitle(rand: () => number): string {
  const adj = pick(rand, ADJECTIVES);
  const noun = pick(rand, NOUNS);
  const other = pick(rand, NOUNS);
  switch (Math.floor(rand() * 5)) {
    case 0: return `The ${adj} ${noun}`;
    case 1: return `${noun} of the ${adj} ${other}`;
    case 2: return `A ${noun} for ${pick(rand, FIRST_NAMES)}`;
    case 3: return `The ${noun} and the ${other}`;
    default: return `${adj} ${noun}s`;
  }
}

function generateBooks(seed: number, size: number): Book[] {
  const rand = createPrng(seed);
  const authors = new Set<string>();
  while (authors.size < AUTHOR_COUNT) authors.add(`${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`);
  const authorList = [...authors];
  const titles = new Set<string>();
  const books: Book[] = [];
  for (let id = 1; id <= size; id++) {
    let title = makeTitle(rand);
    for (let n = 2; titles.has(title); n++) title = `${makeTitle(rand)}${n > 5 ? ` ${n}` : ''}`;
    titles.add(title);
    const copies = intBetween(rand, 1, 6);
    books.push({
      id,
      title,
      author: pick(rand, authorList),
      genre: pick(rand, GENRES),
      year: intBetween(rand, 1850, 2024),
      pages: intBetween(rand, 90, 900),
      isbn: isbn13(rand),
      summary: `${pick(rand, SUMMARY_OPENINGS)} ${pick(rand, SUMMARY_SUBJECTS)}.`,
      added: new Date(ADDED_EPOCH_MS + intBetween(rand, 0, 1000) * DAY_MS).toISOString().slice(0, 10),
      copies,
      available: intBetween(rand, 0, copies),
    });
  }
  return books;
}

export function createCatalogue(opts: CatalogueOptions = {}): Catalogue {
  const books = generateBooks(opts.seed ?? DEFAULT_CATALOGUE_SEED, opts.size ?? DEFAULT_CATALOGUE_SIZE);
  const byId = new Map(books.map((b) => [b.id, b]));
  const haystack = new Map(books.map((b) => [b.id, `${b.title} ${b.author}`.toLowerCase()]));
  const sorted: Record<BookSort, Book[]> = {
    id: books,
    title: [...books].sort((a, b) => a.title.localeCompare(b.title, 'en') || a.id - b.id),
    recent: [...books].sort((a, b) => b.added.localeCompare(a.added) || b.id - a.id),
  };
  const featuredIds = (() => {
    const rand = createPrng((opts.seed ?? DEFAULT_CATALOGUE_SEED) ^ 0x5eed);
    const ids = books.map((b) => b.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
    }
    return ids;
  })();
  const stats: CatalogueStats = Object.freeze({
    books: books.length,
    authors: new Set(books.map((b) => b.author)).size,
    genres: new Set(books.map((b) => b.genre)).size,
    copies: books.reduce((s, b) => s + b.copies, 0),
    available: books.reduce((s, b) => s + b.available, 0),
  });

  return {
    size: books.length,
    get: (id) => byId.get(id),
    list({ offset, limit, q, sort = 'id' }) {
      let pool = sorted[sort];
      const terms = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      if (terms.length > 0) {
        pool = pool.filter((b) => {
          const text = haystack.get(b.id) ?? '';
          return terms.every((t) => text.includes(t));
        });
      }
      return { total: pool.length, items: pool.slice(offset, offset + limit) };
    },
    related(id, max) {
      const book = byId.get(id);
      if (!book) return [];
      const sameAuthor = books.filter((b) => b.id !== id && b.author === book.author);
      const sameGenre = books.filter((b) => b.id !== id && b.author !== book.author && b.genre === book.genre);
      return [...sameAuthor, ...sameGenre].slice(0, max);
    },
    featured: (max) => featuredIds.slice(0, max).map((id) => byId.get(id) as Book),
    stats: () => stats,
  };
}
