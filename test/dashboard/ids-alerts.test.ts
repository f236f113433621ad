/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
// The flow IDS and the dashboard on real sockets: an attack flow scored by the IDS ends as an
// alert in the dashboard's GET /api/alerts; bad alerts and bad tokens are refused, nothing stored.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { buildAlert } from '../../src/ids/alerts.js';
import { fixtureFlows, metricValue, startIds, type Running } from '../ids/helpers.js';
import { INGEST_TOKEN, getJson, postJson, startTestDashboard, waitFor, type TestDashboard } from './helpers.js';

const clock = createSystemClock();

/** One attack flow of the CSE-CIC-IDS2018 fixture (DDoS LOIC), without its Label. */
function attackFlow(): Record<string, string> {
  const { flows } = fixtureFlows('cse-cic-ids2018-sample.csv');
  const f = flows.find((x) => x.Label === 'DDoS attacks-LOIC-HTTP')!;
  return Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'Label'));
}

function validAlert(): Record<string, any> {
  return buildAlert(clock, 3, [{ probability: 0.97, family: 'ddos' }, { probability: 0.6, family: 'dos' }], '127.0.0.1') as unknown as Record<string, any>;
}

async function postAlert(base: string, body: unknown, auth: string | null = `Bearer ${INGEST_TOKEN}`, type = 'application/json') {
  const headers: Record<string, string> = { 'content-type': type };
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${base}/api/alerts`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

describe('IDS alerts reach the dashboard (SQLite, real sockets)', () => {
  let t: TestDashboard;
  let ids: Running;
  before(async () => {
    t = await startTestDashboard('sqlite', clock);
    ids = await startIds({ dashboardUrl: t.base, dashboardToken: INGEST_TOKEN });
  });
  after(async () => {
    await ids?.close();
    await t?.close();
  });

  const alerts = async (query = '') => (await getJson<{ alerts: Record<string, any>[] }>(t.base, `/api/alerts?limit=1000${query}`, t.cookie)).body.alerts;
  const dashMetric = async (labels: Record<string, string>) =>
    metricValue(await (await fetch(`${t.base}/metrics`)).text(), 'ddos_shield_dashboard_ingested_alerts_total', labels);

  it('a /predict of an attack flow ends as an IDS alert in GET /api/alerts', async () => {
    const res = await fetch(`${ids.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: attackFlow() }) });
    const scored = await res.json() as Record<string, any>;
    assert.equal(res.status, 200);
    assert.equal(scored.prediction, 1, 'the fixture flow is scored as an attack');

    const found = (await waitFor(async () => (await alerts()).find((a) => a.source === 'ids'), 'the IDS alert in the dashboard'))!;
    assert.equal(found.alert_type, 'Flow_Attack');
    assert.equal(found.source_ip, null);
    assert.equal(found.is_acknowledged, 0);
    assert.match(found.severity, /^(HIGH|MEDIUM)$/);
    assert.match(found.message, /1 of 1 flow\(s\) classified as attack/);
    assert.equal(found.details.flows, 1);
    assert.equal(found.details.attacks, 1);
    assert.deepEqual(Object.values(found.details.families), [1]);
    assert.ok(found.details.max_probability > 0 && found.details.max_probability <= 1);
    assert.equal(typeof found.details.client, 'string');

    await ids.ids.alerts!.drain();
    const idsText = await (await fetch(`${ids.url}/metrics`)).text();
    assert.equal(metricValue(idsText, 'ids_alerts_sent_total'), 1);
    assert.equal(metricValue(idsText, 'ids_alerts_dropped_total'), 0);
    assert.equal(await dashMetric({ source: 'ids', result: 'stored' }), 1);

    // the filter on source, and the operator can acknowledge it like any other alert
    assert.deepEqual((await alerts('&source=ids')).map((a) => a.id), [found.id]);
    assert.equal((await alerts('&source=gateway')).length, 0);
    assert.equal((await postJson(t.base, `/api/alerts/${found.id}/acknowledge`, t.cookie, {})).status, 200);
    assert.equal((await alerts('&unacknowledged=1')).some((a) => a.id === found.id), false);
  });

  it('answers a bad alert with 400 and a message naming the field, and stores nothing', async () => {
    const before = (await alerts()).length;
    const rejectedBefore = await dashMetric({ result: 'rejected' });
    const cases: [Record<string, any> | string, RegExp][] = [
      [{ ...validAlert(), severity: 'apocalyptic' }, /severity/],
      [{ ...validAlert(), source: 'gateway' }, /source/],
      [{ ...validAlert(), timestamp: 'yesterday' }, /timestamp/],
      [{ ...validAlert(), timestamp: new Date(Date.now() + 3_600_000).toISOString() }, /timestamp: is in the future/],
      [{ ...validAlert(), extra: 1 }, /extra/],
      [{ ...validAlert(), details: { ...validAlert().details, max_probability: 2 } }, /details\.max_probability/],
      [{ ...validAlert(), details: { ...validAlert().details, attacks: 9 } }, /details\.attacks: attacks must not exceed flows/],
      [{ ...validAlert(), message: '' }, /message/],
      ['{not json', /not valid JSON/],
      [[validAlert()], /\(root\)/],
    ];
    for (const [body, reason] of cases) {
      const r = await postAlert(t.base, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error, /invalid alert, nothing stored|not valid JSON/);
      assert.match(r.body.error, reason);
    }
    const wrongType = await postAlert(t.base, validAlert(), `Bearer ${INGEST_TOKEN}`, 'text/plain');
    assert.equal(wrongType.status, 415);
    assert.equal((await alerts()).length, before);
    assert.equal(await dashMetric({ result: 'rejected' }), rejectedBefore + cases.length + 1);
  });

  it('refuses a missing or wrong ingestion token with 401, and an operator session with 403', async () => {
    const before = (await alerts()).length;
    assert.equal((await postAlert(t.base, validAlert(), null)).status, 401);
    assert.equal((await postAlert(t.base, validAlert(), 'Bearer not-the-token-0123456789')).status, 401);
    const session = await fetch(`${t.base}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: t.cookie }, body: JSON.stringify(validAlert()) });
    assert.equal(session.status, 403);
    await session.body?.cancel();
    assert.equal((await alerts()).length, before);
  });

  it('stores a well-formed alert posted directly, with its own time and severity', async () => {
    const a = validAlert();
    const r = await postAlert(t.base, a);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    const stored = (await alerts()).find((x) => x.id === r.body.id)!;
    assert.equal(stored.timestamp, a.timestamp);
    assert.equal(stored.severity, 'HIGH');
    assert.equal(stored.source, 'ids');
    assert.deepEqual(stored.details, a.details);
  });

  it('an IDS holding the wrong token counts its alerts as refused and keeps scoring', async () => {
    const wrong = await startIds({ dashboardUrl: t.base, dashboardToken: 'wrong-token-0123456789' });
    try {
      const before = (await alerts()).length;
      const res = await fetch(`${wrong.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: attackFlow() }) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      await waitFor(async () => metricValue(await (await fetch(`${wrong.url}/metrics`)).text(), 'ids_alerts_dropped_total', { reason: 'http_error' }) === 1, 'the refused alert counted');
      assert.equal((await alerts()).length, before);
    } finally {
      await wrong.close();
    }
  });

  it('documents the route in the OpenAPI document', async () => {
    const doc = await (await fetch(`${t.base}/api/docs`)).json() as { paths: Record<string, Record<string, any>> };
    const post = doc.paths['/api/alerts']?.post;
    assert.ok(post, 'POST /api/alerts documented');
    assert.equal(post['x-required-role'], 'ingest');
    assert.deepEqual(post.security, [{ ingestToken: [] }]);
    assert.ok(post.requestBody.content['application/json'].schema.properties.details);
    assert.ok(doc.paths['/api/alerts']?.get, 'GET /api/alerts still documented');
  });
});
