// Picket Central in process with the real consensus and the small-federation configuration of docs/CONSENSUS.md
// (read from the doc): registration needs the enrolment token; a member's certified signal is served to every
// member from the next tick; a `custom` signal (Picket's built-in content) only with `consensus.count_custom`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { parseConfig } from '../../src/central/config.js';
import { startCentral } from '../../src/central/server.js';
import { parseStreamAnswer } from '../../src/capi/stream-answer.js';
import { eventually } from '../cli/helpers.js';
import { documentedFederationConfig } from '../capi/federation-helpers.js';
import { HUB_INDEX, call, signal } from './helpers.js';

const TOKEN = 'federation-unit-enrolment-token';

async function federation(countCustom: boolean): Promise<{ listed: string[]; refused: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-federation-'));
  const doc = documentedFederationConfig();
  (doc.registration as Record<string, unknown>).token = TOKEN;
  (doc.snapshot as Record<string, unknown>).tick_seconds = 1;
  if (countCustom) (doc.consensus as Record<string, unknown>).count_custom = true;
  const cfg = parseConfig(YAML.stringify({ ...doc, hub_index: HUB_INDEX }), 'federation.yaml');
  const central = await startCentral({ ...cfg, data: dir, listen: '127.0.0.1:0' });
  try {
    const url = central.url;
    const machine_id = 'member'.padEnd(48, 'x');
    const password = 'p'.repeat(64);
    const refused = (await call(`${url}/v3/watchers`, 'POST', { machine_id, password })).status;
    const reg = await call(`${url}/v3/watchers`, 'POST', { machine_id, password, registration_token: TOKEN });
    assert.equal(reg.status, 200, reg.body);
    const login = await call(`${url}/v3/watchers/login`, 'POST', { machine_id, password, scenarios: [] });
    const token = (login.json as { token: string }).token;
    const body = [signal('45.50.0.1'), signal('45.50.0.2', { hash: '', trust: 'custom' })];
    const push = await call(`${url}/v3/signals`, 'POST', body, { token });
    assert.equal(push.status, 200, push.body);
    // both signals arrive in one batch: once the certified one is served, the custom one was decided too
    const listed = await eventually(async () => {
      const r = await call(`${url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token });
      const values = parseStreamAnswer(r.body).news.map((e) => e.value);
      return values.includes('45.50.0.1') && values.sort();
    }, 'the certified signal listed');
    return { listed, refused };
  } finally {
    await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the documented federation config: token required, a member’s signal listed at the next tick', async () => {
  const r = await federation(false);
  assert.equal(r.refused, 401, 'no registration without the enrolment token');
  assert.deepEqual(r.listed, ['45.50.0.1'], 'a custom signal does not count by default');
});

test('consensus.count_custom: a member’s custom signal (Picket’s built-in content) lists too', async () => {
  const r = await federation(true);
  assert.deepEqual(r.listed, ['45.50.0.1', '45.50.0.2']);
});
