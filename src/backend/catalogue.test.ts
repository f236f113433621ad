import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCatalogue, createPrng } from './catalogue.js';

test('the same seed yields the same catalogue, another seed a different one', () => {
  const a = createCatalogue();
  const b = createCatalogue();
  const c = createCatalogue({ seed: 7 });
  assert.equal(a.size, 200);
  assert.deepEqual(a.list({ offset: 0, limit: 200 }).items, b.list({ offset: 0, limit: 200 }).items);
  assert.notDeepEqual(a.get(1), c.get(1));
});

test('books have unique ids and titles and valid ISBN-13 check digits', () => {
  const { items } = createCatalogue().list({ offset: 0, limit: 1000 });
  assert.equal(new Set(items.map((b) => b.id)).size, items.length);
  assert.equal(new Set(items.map((b) => b.title)).size, items.length);
  for (const b of items) {
    const d = [...b.isbn].map(Number);
    const sum = d.reduce((s, x, i) => s + x * (i % 2 === 0 ? 1 : 3), 0);
    assert.equal(sum % 10, 0, `ISBN ${b.isbn} of book ${b.id}`);
    assert.ok(b.available <= b.copies);
  }
});

test('search matches every term in title or author, case-insensitively', () => {
  const cat = createCatalogue();
  const book = cat.get(42);
  assert.ok(book);
  const surname = book.author.split(' ')[1] ?? '';
  const word = book.title.split(' ').at(-1) ?? '';
  const res = cat.list({ offset: 0, limit: 500, q: `${surname.toUpperCase()}  ${word.toLowerCase()}` });
  assert.ok(res.items.some((b) => b.id === 42));
  for (const b of res.items) {
    const text = `${b.title} ${b.author}`.toLowerCase();
    assert.ok(text.includes(surname.toLowerCase()) && text.includes(word.toLowerCase()));
  }
  assert.equal(cat.list({ offset: 0, limit: 10, q: 'zzzz-no-such-book' }).total, 0);
});

test('paging, sorting and related books', () => {
  const cat = createCatalogue();
  const page2 = cat.list({ offset: 20, limit: 20 });
  assert.equal(page2.total, 200);
  assert.deepEqual(page2.items.map((b) => b.id), Array.from({ length: 20 }, (_, i) => 21 + i));
  const recent = cat.list({ offset: 0, limit: 200, sort: 'recent' }).items;
  for (let i = 1; i < recent.length; i++) assert.ok((recent[i - 1]?.added ?? '') >= (recent[i]?.added ?? ''));
  const related = cat.related(5, 6);
  assert.ok(related.length > 0 && related.length <= 6);
  assert.ok(related.every((b) => b.id !== 5));
  assert.deepEqual(cat.related(9999, 6), []);
  assert.equal(cat.featured(8).length, 8);
});

test('the PRNG stays in [0, 1) and is reproducible', () => {
  const r1 = createPrng(1);
  const r2 = createPrng(1);
  for (let i = 0; i < 1000; i++) {
    const x = r1();
    assert.equal(x, r2());
    assert.ok(x >= 0 && x < 1);
  }
});
