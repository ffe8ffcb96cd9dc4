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

test('capi register sends a private central’s enrolment token (--token, or PICKET_CAPI_REGISTRATION_TOKEN)', async () => {
  const token = 'federation-token-0123456789';
  const central = await startEnv({ registrationToken: token });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-capi-token-'));
  const saved = process.env.PICKET_CAPI_REGISTRATION_TOKEN;
  try {
    const f = path.join(dir, 'creds.yaml');
    await assert.rejects(
      capiCommand.run(['register', '--url', central.url, '-f', f, '--data', dir], io().io),
      /401.*registration token required/,
    );
    assert.ok(!fs.existsSync(f), 'no credentials written for a refused registration');
    await assert.rejects(
      capiCommand.run(
        ['register', '--url', central.url, '--token', 'wrong-token-0123456789', '-f', f, '--data', dir],
        io().io,
      ),
      /invalid registration token/,
    );
    assert.equal(
      await capiCommand.run(['register', '--url', central.url, '--token', token, '-f', f, '--data', dir], io().io),
      0,
    );
    assert.ok(await central.central.service.machines.get(readCredentials(f).login));
    const f2 = path.join(dir, 'creds2.yaml');
    process.env.PICKET_CAPI_REGISTRATION_TOKEN = token;
    assert.equal(await capiCommand.run(['register', '--url', central.url, '-f', f2, '--data', dir], io().io), 0);
    assert.ok(await central.central.service.machines.get(readCredentials(f2).login));
  } finally {
    if (saved === undefined) delete process.env.PICKET_CAPI_REGISTRATION_TOKEN;
    else process.env.PICKET_CAPI_REGISTRATION_TOKEN = saved;
    await central.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
