// The IDS API's answers outside scoring: HEAD on its GET routes, 400 messages in plain words for a
// malformed envelope, and alerts to a dashboard that refuses them (a warning at start without a
// token; refusals logged at most once per interval with a count, every one counted in the metric).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { listen, closeServer } from '../../src/core/listen.js';
import { createLogger } from '../../src/core/logger.js';
import { createManualClock } from '../../src/core/clock.js';
import { compileIdsConfig, type IdsConfigInput } from '../../src/ids/config.js';
import { createIdsServer } from '../../src/ids/server.js';
import { fixtureFlows, metricValue, post, shippedModel, startIds, waitFor, type Running } from './helpers.js';

const c18 = fixtureFlows('cse-cic-ids2018-sample.csv');
const flowsOf = () => c18.flows.map((f) => Object.fromEntries(Object.entries(f).filter(([k]) => k.trim().toLowerCase() !== 'label')));

let srv: Running;
before(async () => { srv = await startIds(); });
after(async () => { await srv.close(); });

test('HEAD is answered like GET without a body on every GET route', async () => {
  for (const path of ['/', '/health', '/openapi.json', '/model/info', '/metrics']) {
    const get = await fetch(srv.url + path);
    const getBody = await get.text();
    const head = await fetch(srv.url + path, { method: 'HEAD' });
    assert.equal(head.status, get.status, `HEAD ${path}`);
    assert.equal(await head.text(), '', `HEAD ${path} has no body`);
    assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), `HEAD ${path}`);
    if (path !== '/metrics') assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(getBody)), `HEAD ${path} Content-Length`);
  }
  const refused = await fetch(`${srv.url}/predict`, { method: 'HEAD' });
  assert.equal(refused.status, 405, 'a POST-only route still refuses HEAD');
  assert.equal(refused.headers.get('allow'), 'POST');
  const put = await fetch(`${srv.url}/health`, { method: 'PUT' });
  assert.equal(put.headers.get('allow'), 'GET, HEAD');
});

test('a malformed /predict envelope gets a 400 that says in plain words what is wrong', async () => {
  const flow = flowsOf()[0] as Record<string, string>;
  const cases: [unknown, RegExp][] = [
    [{ Features: flow }, /^"features" is required \(got "Features"\); expected \{"features": \{\.\.\.\}\}$/],
    [{ feature: flow }, /"features" is required \(got "feature"\)/],
    [{ flow }, /"features" is required \(the body has "flow"\)/],
    [{}, /"features" is required \(the body is empty\)/],
    [{ features: flow, model: 'rf', debug: true }, /^unknown keys "model", "debug": the body holds only "features"/],
    [{ features: [1, 2] }, /^"features" must be an object of feature values \(name: number\); got an array$/],
    [{ features: null }, /got null/],
    [[flow], /^the body must be a JSON object \{"features": \{\.\.\.\}\}; got an array$/],
    ['features', /got the text "features"/],
  ];
  for (const [body, want] of cases) {
    const res = await post(`${srv.url}/predict`, typeof body === 'string' ? JSON.stringify(body) : body);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    assert.equal(res.body.error, 'INVALID_REQUEST');
    assert.match(res.body.message as string, want);
    assert.doesNotMatch(JSON.stringify(res.body), /nonoptional|invalid_type|unrecognized_keys|Invalid input/i, 'no zod jargon');
  }
  const both = await post(`${srv.url}/predict`, { Features: flow, extra: 1 });
  assert.deepEqual((both.body.details as { message: string }[]).map((d) => d.message),
    ['"features" is required (got "Features")', 'unknown key "extra": the body holds only "features"']);
});

test('a malformed /predict/batch envelope gets a 400 that says in plain words what is wrong', async () => {
  const cases: [unknown, RegExp][] = [
    [{ Flows: flowsOf() }, /^"flows" is required \(got "Flows"\)/],
    [{ flows: [] }, /^"flows" must be a non-empty array of flows \(objects of feature values\); got an empty array$/],
    [{ flows: {} }, /got an object$/],
    [{ flows: flowsOf(), limit: 3 }, /^unknown key "limit": the body holds only "flows"/],
  ];
  for (const [body, want] of cases) {
    const res = await post(`${srv.url}/predict/batch`, body);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    assert.match(res.body.message as string, want);
    assert.doesNotMatch(JSON.stringify(res.body), /nonoptional|invalid_type|unrecognized_keys|too_small/i);
  }
});

/** A logger whose JSON lines are kept for the test. */
function capture(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

test('warns at start when alerts go to a dashboard without a token, and not with one', async () => {
  for (const token of [undefined, 'tok']) {
    const { lines, logger } = capture();
    const config = compileIdsConfig({ port: 0, host: '127.0.0.1', dashboardUrl: 'http://127.0.0.1:9/', ...(token ? { dashboardToken: token } : {}) });
    const ids = createIdsServer(config, { model: shippedModel(), logger });
    await ids.listen();
    await ids.close();
    const warned = lines.some((l) => l.level === 40 && /without a token \(DASHBOARD_TOKEN is not set\)/.test(String(l.msg)));
    assert.equal(warned, token === undefined, `token ${token}`);
  }
});

test('a dashboard refusing every alert is logged once per minute with the count; the metric counts each', async () => {
  let posts = 0;
  const dash = createServer((req, res) => {
    req.resume();
    req.on('end', () => { posts++; res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"missing bearer token"}'); });
  });
  const port = await listen(dash, 0, '127.0.0.1');
  const clock = createManualClock(Date.parse('2026-12-06T00:00:00Z'));
  const { lines, logger } = capture();
  const config = compileIdsConfig({ port: 0, host: '127.0.0.1', dashboardUrl: `http://127.0.0.1:${port}`, rateLimitBurst: 1000 } as Partial<IdsConfigInput>);
  const ids = createIdsServer(config, { model: shippedModel(), logger, clock });
  const idsPort = await ids.listen();
  const url = `http://127.0.0.1:${idsPort}`;
  const refusals = () => lines.filter((l) => /dashboard refused/.test(String(l.msg)));
  const dropped = async () => metricValue(await (await fetch(`${url}/metrics`)).text(), 'ids_alerts_dropped_total', { reason: 'http_error' });
  try {
    const batch = { flows: flowsOf() };
    for (let i = 0; i < 5; i++) {
      assert.equal((await post(`${url}/predict/batch`, batch)).status, 200);
      await ids.alerts?.drain();
    }
    assert.equal(posts, 5);
    assert.equal(await dropped(), 5, 'every refused alert is counted');
    assert.equal(refusals().length, 1, 'one line for the first refusal, not one per alert');
    assert.match(String(refusals()[0]?.msg), /no DASHBOARD_TOKEN is set/);
    assert.equal(refusals()[0]?.status, 401);
    assert.equal(refusals()[0]?.error, 'missing bearer token');

    clock.advance(30_000);
    await post(`${url}/predict/batch`, batch);
    await ids.alerts?.drain();
    assert.equal(refusals().length, 1, 'still within the minute');

    clock.advance(30_000);
    await post(`${url}/predict/batch`, batch);
    await ids.alerts?.drain();
    await waitFor(() => refusals().length === 2);
    assert.equal(refusals()[1]?.refused, 6, 'the refusals since the last line: 4 + 1 + this one');
    assert.match(String(refusals()[1]?.msg), /refused 6 alert\(s\) since the last report/);
    assert.equal(await dropped(), 7);
  } finally {
    await ids.close();
    await closeServer(dash);
  }
});
