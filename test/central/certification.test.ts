// Certification from the hub index: the server recomputes the trust class (a known digest for that scenario
// name = certified, whatever the client claims; an unknown hash = tainted; no hash = custom; manual stays
// manual), and only certified signals list an address.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { HubIndex } from '../../src/central/hub-index.js';
import { DEFAULT_HUB_INDEXES } from '../../src/central/config.js';
import { call, newSite, settle, signal, SSH_BF_HASH, startEnv } from './helpers.js';

test('a client cannot self-certify; a hub digest certifies whatever the client claims', async () => {
  const env = await startEnv();
  try {
    const a = await newSite(env),
      b = await newSite(env);
    const forged = 'ab'.repeat(32);
    for (const s of [a, b]) {
      const r = await call(
        `${env.url}/v3/signals`,
        'POST',
        [
          signal('45.30.0.1', { hash: forged, trust: 'certified' }),
          signal('45.30.0.2', { trust: 'tainted' }),
          signal('45.30.0.3', { hash: '', trust: 'certified' }),
          signal('45.30.0.4', { trust: 'manual' }),
          signal('45.30.0.5', { scenario: 'crowdsecurity/http-probing', trust: 'certified' }),
        ],
        { token: s.token },
      );
      assert.equal(r.status, 200);
    }
    await settle(env);
    const trustOf = (ip: string) => env.consensus.ingested.find((x) => x.value === ip)!.trust;
    assert.equal(trustOf('45.30.0.1'), 'tainted');
    assert.equal(trustOf('45.30.0.2'), 'certified');
    assert.equal(trustOf('45.30.0.3'), 'custom');
    assert.equal(trustOf('45.30.0.4'), 'manual');
    assert.equal(trustOf('45.30.0.5'), 'tainted', 'the ssh-bf digest does not certify another scenario name');
    const listed = env.consensus.listed().map((e) => e.value);
    assert.deepEqual(listed, ['45.30.0.2']);
  } finally {
    await env.cleanup();
  }
});

test("the hub index of Debian's crowdsec package certifies its scenarios", (t) => {
  const file = DEFAULT_HUB_INDEXES.find((f) => fs.existsSync(f));
  if (!file) {
    t.skip(`no hub index at ${DEFAULT_HUB_INDEXES.join(' or ')} (crowdsec package not installed)`);
    return;
  }
  const hub = HubIndex.load('');
  assert.equal(hub.source, file);
  assert.ok(hub.scenarios > 50);
  assert.equal(hub.trustOf('crowdsecurity/ssh-bf', SSH_BF_HASH, '0.1', 'tainted'), 'certified');
  assert.equal(hub.trustOf('crowdsecurity/ssh-bf', SSH_BF_HASH.replace(/^4/, '5'), '0.1', 'certified'), 'tainted');
});

test('a file that is not a hub index is refused with its name', () => {
  assert.throws(() => HubIndex.parse('{"parsers":{}}', '/x/.index.json'), /\/x\/\.index\.json: no "scenarios"/);
  assert.throws(() => HubIndex.parse('{', '/y.json'), /\/y\.json: not JSON/);
});
