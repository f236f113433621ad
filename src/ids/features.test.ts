import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES, NON_FINITE_VALUE, coerceValue, createFeatureMapper, isNonFinite } from './features.js';

const ids = FEATURES.map((f) => f.id).filter((id) => id !== 'dst_port' && id !== 'protocol');

test('maps the 2018 short, 2017 (leading space), long and canonical spellings to one feature', () => {
  const m = createFeatureMapper(ids);
  for (const s of ['Tot Fwd Pkts', ' Total Fwd Packets', 'Total Fwd Packet', 'tot_fwd_pkts', 'TOTAL FWD PACKETS']) {
    assert.equal(m.resolve(s), 'tot_fwd_pkts', s);
  }
  for (const s of ['TotLen Fwd Pkts', 'Total Length of Fwd Packets', 'Fwd Packets Length Total']) assert.equal(m.resolve(s), 'totlen_fwd_pkts', s);
  for (const s of [' Init_Win_bytes_forward', 'FWD Init Win Bytes', 'Init Fwd Win Byts']) assert.equal(m.resolve(s), 'init_fwd_win_byts', s);
  assert.equal(m.resolve('CWR Flag Count'), 'cwe_flag_count');
  assert.equal(m.resolve('Src IP'), undefined);
  assert.equal(FEATURES.length, 78);
});

test('coerces values by the training policy', () => {
  assert.equal(coerceValue(12.5), 12.5);
  assert.equal(coerceValue(' 3e2 '), 300);
  for (const v of [null, NaN, Infinity, -Infinity, 'Infinity', '-inf', 'NaN', '', '1e999']) {
    assert.equal(coerceValue(v), NON_FINITE_VALUE, String(v));
    assert.ok(isNonFinite(v), String(v));
  }
  assert.equal(isNonFinite('-1'), false);
  for (const v of ['abc', '1,5', true, {}, [], undefined]) assert.equal(coerceValue(v), undefined, String(v));
});

test('reports duplicates given with different values, ignores unknown keys', () => {
  const m = createFeatureMapper(['flow_duration', 'tot_fwd_pkts']);
  assert.deepEqual(m.parse({ 'Flow Duration': 1, 'Tot Fwd Pkts': 2, 'Src IP': '1.2.3.4' }), { ok: true, row: new Float64Array([1, 2]), nonFinite: 0 });
  const dup = m.parse({ 'Flow Duration': 1, ' Flow Duration': 5, 'Tot Fwd Pkts': 2 });
  assert.equal(dup.ok, false);
  assert.deepEqual(!dup.ok && dup.problems.map((p) => p.problem), ['duplicate']);
  const header = m.mapHeader(['x', ' Total Fwd Packets', 'Flow Duration']);
  assert.deepEqual(header.ok && [...header.columns], [2, 1]);
});
