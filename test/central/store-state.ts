// Checks of a CentralStore's consensus-state and replay contract, run on the embedded store (state.test.ts) and
// on PostgreSQL (pg.test.ts): saveState/loadState round-trip chunks and the point, a new save replaces the old
// one, a state saved before chunks existed is read as one chunk with seq 0, and signalsAfter lists the signals
// with a greater seq received since a time, by receive time then seq, across pages.

import assert from 'node:assert/strict';
import type { StoredSignal } from '../../src/central/records.js';
import type { CentralStore } from '../../src/central/store/types.js';

export function storedSignal(value: string, received: number, seq: number): StoredSignal {
  return {
    scope: 'Ip',
    value,
    scenario: 'crowdsecurity/ssh-bf',
    scenarioHash: 'h',
    scenarioVersion: '0.1',
    trust: 'certified',
    at: received,
    received,
    reporter: 'r',
    seq,
  };
}

async function all(it: AsyncIterable<StoredSignal[]>): Promise<StoredSignal[][]> {
  const pages: StoredSignal[][] = [];
  for await (const p of it) pages.push(p);
  return pages;
}

/** `writeLegacy` writes a state the way the store did before chunks (one JSON text) */
export async function storeStateChecks(
  store: CentralStore,
  writeLegacy: (json: string) => Promise<void>,
): Promise<void> {
  assert.equal(await store.loadState(), undefined);
  await writeLegacy('{"version":1}');
  assert.deepEqual(await store.loadState(), { chunks: ['{"version":1}'], seq: 0, received: 0, savedAt: 0 });
  const big = 'x'.repeat(300_000);
  const first = { chunks: ['{"a":1}', `"${big}"`, '{"c":3}'], seq: 41, received: 1_000_000, savedAt: 7 };
  await store.saveState(first);
  assert.deepEqual(await store.loadState(), first);
  const second = { chunks: ['{"b":2}'], seq: 99, received: 2_000_000, savedAt: 8 };
  await store.saveState(second);
  assert.deepEqual(await store.loadState(), second, 'the new state replaces the old one and its chunks');

  const t = Date.now() - 3_600_000 - (Date.now() % 60_000);
  const rows: StoredSignal[] = [];
  for (let i = 1; i <= 12_000; i++)
    rows.push(storedSignal(`45.70.${i >> 8}.${i & 255}`, t + Math.floor(i / 5000) * 60_000, i));
  rows.push(storedSignal('45.71.0.1', t - 3_600_000, 12_001)); // received before `since`: not listed
  await store.addSignals(rows);
  const pages = await all(store.signalsAfter(100, t));
  const got = pages.flat();
  assert.ok(pages.length >= 2, 'in pages');
  assert.equal(got.length, 11_900);
  assert.deepEqual(
    got.map((s) => s.seq),
    rows.slice(100, 12_000).map((s) => s.seq),
    'seq > 100, by receive time then seq',
  );
  assert.deepEqual(got[0], rows[100]);
  assert.deepEqual((await all(store.signalsAfter(12_001, 0))).flat(), []);
}
