// Picket Central's consensus state: the chunked form restores what importState(exportState()) does; a full-size
// state (50,000 addresses) is saved by an in-process central without stalling its event loop (requests are
// answered during the save) and a new central on the same store restores it as it was; the embedded store keeps
// the chunks of one generation, reads a state saved before chunks existed, and lists the signals a state does not
// reflect in order. (The same store checks on PostgreSQL: pg.test.ts; a kill -9: crash.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createConsensus, type SignalInput } from '../../src/central/consensus/index.js';
import { defaultConfig, type CentralConfig } from '../../src/central/config.js';
import { startCentral } from '../../src/central/server.js';
import { LmdbCentralStore } from '../../src/central/store/lmdb-store.js';
import { fillConsensus } from './big-state.js';
import { HUB_INDEX } from './helpers.js';
import { storeStateChecks } from './store-state.js';

const H = 3_600_000;

function sig(reporter: string, value: string, at: number): SignalInput {
  const s = {
    scenario: 'crowdsecurity/ssh-bf',
    scenarioHash: 'h',
    scenarioVersion: '0.1',
    trust: 'certified' as const,
  };
  return { reporter, scope: 'Ip', value, ...s, at, received: at };
}

test('the chunked state restores what importState(exportState()) does, and reads a one-text state', () => {
  const now = Date.UTC(2026, 11, 1);
  // evidence over 72 h (the reports span 80 h): some addresses expire, so the expired-address history is saved too
  const cfg = { evidenceWindowMs: 72 * H };
  const c = createConsensus(cfg);
  fillConsensus(c, { addresses: 3000, reporters: 300, now });
  assert.ok(c.history.size > 0 && c.historyQueue.length > 0, 'some addresses expired');
  // weighted evidence not yet evaluated (the next tick lists it): part of the state
  for (const r of ['reporter-0', 'reporter-4', 'reporter-8']) c.ingest(sig(r, '45.251.0.1', now));
  assert.ok(c.dirty.has('45.251.0.1'));
  const chunks = [...c.exportStateChunks()];
  assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
  const d = createConsensus(cfg);
  d.importStateChunks(chunks);
  const e = createConsensus(cfg);
  e.importState(JSON.parse(JSON.stringify(c.exportState())) as unknown);
  assert.deepEqual(d.exportState(), e.exportState());
  assert.deepEqual(d.history, c.history);
  assert.deepEqual(d.listed(now), c.listed(now));
  assert.ok(d.listed(now).length > 100);
  const old = createConsensus(cfg);
  old.importStateChunks([JSON.stringify(c.exportState())]); // a state saved before chunks existed
  assert.deepEqual(old.exportState(), e.exportState());
  // and they decide the same afterwards
  for (const x of [c, d]) {
    for (const r of ['reporter-0', 'reporter-4', 'reporter-8']) x.ingest(sig(r, '45.250.0.1', now + H));
    x.tick(now + H + 60_000);
  }
  assert.deepEqual(d.listed(now + H + 60_000), c.listed(now + H + 60_000));
  const values = d.listed(now + H + 60_000).map((x) => x.value);
  assert.ok(values.includes('45.250.0.1') && values.includes('45.251.0.1'));
  assert.throws(() => d.importStateChunks(['{"version": 1}', 'not json']), { code: 'CENTRAL_BAD_STATE' });
  assert.throws(() => d.importStateChunks([]), { code: 'CENTRAL_BAD_STATE' });
});

function config(dir: string): CentralConfig {
  return { ...defaultConfig(), listen: '127.0.0.1:0', data: dir, hubIndex: HUB_INDEX, tickSeconds: 3600 };
}

test('a 50,000-address state is saved without stalling the event loop and restored as it was', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-central-state-'));
  const consensus = createConsensus();
  const now = Date.now();
  const clock = (): number => now; // the restored central ticks at start: at the time the state was made
  const central = await startCentral(config(dir), { consensus, now: clock });
  let closed = false;
  try {
    const { signals } = fillConsensus(consensus, { addresses: 56_000, now });
    assert.ok(consensus.addrs.size >= 50_000, `${consensus.addrs.size} addresses`);
    assert.ok(signals > 200_000);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    let done = false,
      answered = 0,
      slowest = 0;
    const saving = central.service.saveState().finally(() => {
      done = true;
    });
    while (!done) {
      const t = performance.now();
      const r = await fetch(`${central.url}/v3/nothing`);
      await r.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - t);
      answered++;
    }
    const saved = await saving;
    loop.disable();
    const maxMs = loop.max / 1e6;
    assert.ok(saved.chunks > 20, `${saved.chunks} chunks`);
    assert.ok(saved.chars > 10e6, `${saved.chars} characters`);
    assert.ok(answered >= 5, `${answered} requests answered during a ${Math.round(saved.ms)} ms save`);
    assert.ok(
      maxMs < 250,
      `event-loop delay max ${maxMs.toFixed(1)} ms during the save (longest step ${saved.longestStepMs.toFixed(1)} ms, slowest request ${slowest.toFixed(1)} ms)`,
    );
    const expected = createConsensus();
    expected.importState(consensus.exportState());
    await central.close();
    closed = true;
    const restored = createConsensus();
    const again = await startCentral(config(dir), { consensus: restored, now: clock });
    await again.close();
    assert.equal(restored.addrs.size, consensus.addrs.size);
    assert.deepEqual(restored.exportState(), expected.exportState());
  } finally {
    if (!closed) await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('embedded store: state chunks of one generation, a one-text state, the signals after a point', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-central-store-'));
  const store = new LmdbCentralStore(dir);
  try {
    await storeStateChecks(store, async (json) => {
      await (store as unknown as { meta: { put(k: string, v: string): Promise<boolean> } }).meta.put(
        'consensusState',
        json,
      );
    });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
