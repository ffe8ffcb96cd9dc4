// Privacy at ingest (capi.md §11): a v3 signal carrying a message, geo, the source's AS, the watcher's machine
// name, a UUID, decisions and alert context leaves only address, scenario, minute-rounded times and a reporter
// pseudonym in the store; the reporter's record keeps its /24, never its address. Checked by reading the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CENTRAL_STORE_FILE } from '../../src/central/store/lmdb-store.js';
import { call, newSite, settle, signal, startEnv } from './helpers.js';

const SECRETS = [
  'SECRET-MESSAGE-TEXT',
  'SECRET-AS-NAME',
  'secret-hostname',
  'secret-user',
  'secret-uuid',
  'secret-decision-uuid',
  '48.8566',
  '64599',
  'target_user',
];

test('only address, scenario, minute times and a pseudonym are written; nothing else reaches the file', async () => {
  const env = await startEnv();
  let closed = false;
  try {
    const site = await newSite(env);
    const r = await call(`${env.url}/v3/signals`, 'POST', [signal('45.20.0.1'), signal('45.20.0.2')], {
      token: site.token,
    });
    assert.equal(r.status, 200);
    await settle(env);
    const rows = await env.central.service.store.signalsFor('45.20.0.1');
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row).sort(), [
      'at',
      'received',
      'reporter',
      'scenario',
      'scenarioHash',
      'scenarioVersion',
      'scope',
      'seq',
      'trust',
      'value',
    ]);
    assert.equal(row.at % 60_000, 0);
    assert.equal(row.received % 60_000, 0);
    assert.notEqual(row.reporter, site.login);
    assert.ok(!row.reporter.includes(site.login.slice(0, 12)));
    const m = (await env.central.service.store.getMachine(site.login))!;
    assert.equal(m.network, '127.0.0.0/24');
    assert.equal(m.pseudonym, row.reporter);
    // what the consensus got: the stored row itself (receive time to the minute), so a replay gives the same
    const seen = env.consensus.ingested.find((s) => s.value === '45.20.0.1')!;
    assert.deepEqual(seen, row);
    await env.central.close();
    closed = true;
    const bytes = fs.readFileSync(path.join(env.dir, CENTRAL_STORE_FILE));
    for (const s of SECRETS) assert.equal(bytes.indexOf(s), -1, `'${s}' was written to the store`);
    assert.equal(bytes.indexOf('127.0.0.1'), -1, 'the reporter address was written to the store');
    assert.notEqual(bytes.indexOf('45.20.0.1'), -1, 'the attacker address is stored (sanity check of the scan)');
  } finally {
    if (!closed) await env.central.close();
    fs.rmSync(env.dir, { recursive: true, force: true });
  }
});

test('raw signals expire after the retention period', async () => {
  const env = await startEnv({ signalsRetentionDays: 1 });
  try {
    const store = env.central.service.store;
    const old = Date.now() - 3 * 86_400_000;
    await store.addSignals([
      {
        scope: 'Ip',
        value: '45.21.0.1',
        scenario: 's',
        scenarioHash: '',
        scenarioVersion: '',
        trust: 'custom',
        at: old,
        received: old,
        reporter: 'r',
        seq: 1,
      },
    ]);
    assert.equal((await store.signalsFor('45.21.0.1')).length, 1);
    assert.equal(await env.central.service.expire(), 1);
    assert.deepEqual(await store.signalsFor('45.21.0.1'), []);
    assert.equal((await store.stats()).signals, 0);
  } finally {
    await env.cleanup();
  }
});
