// `picket capi register|status|signals` against a real Picket Central on loopback (issue 13).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capiCommand } from '../../src/cli/commands/capi.js';
import { readCredentials } from '../../src/capi/config.js';
import { openStore } from '../../src/store/lmdb.js';
import { SignalOutbox } from '../../src/store/outbox.js';
import { startEnv } from '../central/helpers.js';

function io(): { out: string[]; err: string[]; io: { out: (s: string) => void; err: (s: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}

test('capi register, status and signals against Picket Central', async () => {
  const central = await startEnv();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-capi-cli-'));
  try {
    const f = path.join(dir, 'online_api_credentials.yaml');
    const r = io();
    assert.equal(await capiCommand.run(['register', '--url', central.url, '-f', f, '--data', dir], r.io), 0);
    const creds = readCredentials(f);
    assert.equal(creds.url, central.url);
    assert.ok(await central.central.service.machines.get(creds.login), 'the central knows the new login');
    const s = io();
    assert.equal(await capiCommand.run(['status', '-f', f, '--data', dir], s.io), 0);
    assert.match(s.out.join('\n'), /successfully interact/);
    fs.writeFileSync(f, `url: ${central.url}\nlogin: ${creds.login}\npassword: wrong\n`);
    await assert.rejects(capiCommand.run(['status', '-f', f, '--data', dir], io().io), /login failed/);

    const env = openStore(dir);
    const box = new SignalOutbox(env);
    await box.enqueue('u1', '{"scenario":"x"}');
    await box.ack(box.peek(1), `${central.url}/v3/signals`);
    await env.close();
    const j = io();
    assert.equal(await capiCommand.run(['signals', '--since', '1h', '-o', 'json', '--data', dir], j.io), 0);
    const rows = JSON.parse(j.out.join('')) as { uuid: string; url: string; body: string }[];
    assert.deepEqual(
      rows.map((x) => [x.uuid, x.url, x.body]),
      [['u1', `${central.url}/v3/signals`, '{"scenario":"x"}']],
    );
  } finally {
    await central.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
