import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger.js';
import { parseDetectionConfig } from '../../src/detect/config.js';
import { readLogRecords } from '../../src/detect/replay/read.js';
import { createReplay } from '../../src/detect/replay/replay.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function clf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

test('replaying a combined log on its own clock finds the flooder and leaves the readers alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  try {
    const t0 = Date.UTC(2026, 2, 1, 10);
    const lines: [number, string][] = [];
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
    for (let u = 0; u < 30; u++) {
      for (let k = 0; k < 12; k++) {
        const t = t0 + u * 3000 + k * 25_000 + ((u * 7919 + k * 104729) % 9000);
        lines.push([t, `192.0.2.${u} - - [${clf(t)}] "GET /page/${k} HTTP/1.1" 200 5120 "http://site/page/${k - 1}" "${ua}"`]);
        for (let a = 0; a < 4; a++) lines.push([t + 1, `192.0.2.${u} - - [${clf(t + 1)}] "GET /static/${k}-${a}.png HTTP/1.1" 200 900 "http://site/page/${k}" "${ua}"`]);
      }
    }
    for (let i = 0; i < 6000; i++) {
      const t = t0 + 60_000 + i * 5; // 200 req/s for 30 s, seconds resolution in the log
      lines.push([t, `203.0.113.5 - - [${clf(t)}] "GET / HTTP/1.1" 200 5120 "-" "python-requests/2.31.0"`]);
    }
    lines.sort((a, b) => a[0] - b[0]);
    const file = join(dir, 'access.log');
    writeFileSync(file, lines.map((l) => l[1]).join('\n') + '\nnot a log line\n');

    const replay = createReplay({ config: parseDetectionConfig({}), logger: createLogger({ level: 'silent' }), assumeBrowserHeaders: true, challengesPassed: true });
    const stats = { lines: 0, parsed: 0, skipped: 0 };
    for await (const r of readLogRecords(file, { stats })) replay.add(r);
    const s = replay.summary();
    replay.close();
    assert.equal(stats.skipped, 1);
    assert.equal(s.requests, lines.length);
    const flooder = s.flagged.find((c) => c.client === '203.0.113.5');
    assert.ok(flooder, 'the flooder is flagged');
    assert.equal(flooder.worst, 'block');
    assert.ok(flooder.rejected / flooder.requests > 0.9, `rejected ${flooder.rejected} of ${flooder.requests}`);
    assert.deepEqual(s.flagged.filter((c) => c.client.startsWith('192.0.2.')).map((c) => c.client), []);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('reads the NASA TSV layout with its header line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  try {
    const file = join(dir, 'nasa.tsv');
    writeFileSync(file, 'host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent\nh1.example\t-\t807256800\tGET\t/a.gif\t200\t1713\t\t\nh2.example\t-\t807256804\tGET\t/b.html?x=1\t404\t0\t\t\n');
    const stats = { lines: 0, parsed: 0, skipped: 0 };
    const recs = [];
    for await (const r of readLogRecords(file, { stats })) recs.push(r);
    assert.deepEqual(stats, { lines: 2, parsed: 2, skipped: 0 });
    assert.deepEqual(recs.map((r) => [r.host, r.path, r.query, r.status]), [['h1.example', '/a.gif', '', 200], ['h2.example', '/b.html', 'x=1', 404]]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
