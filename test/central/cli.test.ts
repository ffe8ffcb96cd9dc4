// `picket central …` as an operator runs it: separate processes on the data folder of a running server (LMDB is
// multi-process): blocklist add/list/delete reach the served list, machines add/list/delete, stats, erase and
// delist with -o json; configuration errors name the file and key.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/central/config.js';
import { PICKET_BIN, call, newSite, settle, spawnCentral, startEnv, type CentralEnv } from './helpers.js';

const BIN = PICKET_BIN;
const run = promisify(execFile);

async function picket(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [BIN, 'central', ...args], { timeout: 30_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

let env: CentralEnv;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.cleanup();
});

test("blocklist add/list/delete from another process reach the running server's list", async () => {
  const add = await picket(
    'blocklist',
    'add',
    '--ip',
    '45.50.0.1',
    '--scenario',
    'ops/manual',
    '--duration',
    '2h',
    '--data',
    env.dir,
    '-o',
    'json',
  );
  assert.equal(add.code, 0, add.err);
  assert.equal((JSON.parse(add.out) as { value: string }).value, '45.50.0.1');
  const list = await picket('blocklist', 'list', '--data', env.dir, '-o', 'json');
  assert.deepEqual(
    (JSON.parse(list.out) as Array<{ value: string }>).map((x) => x.value),
    ['45.50.0.1'],
  );
  await settle(env);
  const site = await newSite(env, 2);
  const body = (await call(`${env.url}/v2/decisions/stream?startup=true`, 'GET', undefined, { token: site.token }))
    .json as { new: Array<{ value: string; scenario: string }> };
  assert.deepEqual(
    body.new.map((d) => [d.value, d.scenario]),
    [['45.50.0.1', 'ops/manual']],
  );
  const del = await picket('blocklist', 'delete', '--ip', '45.50.0.1', '--data', env.dir);
  assert.equal(del.code, 0, del.err);
  await settle(env);
  const delta = (await call(`${env.url}/v2/decisions/stream`, 'GET', undefined, { token: site.token })).json as {
    deleted: Array<{ value: string }>;
  };
  assert.deepEqual(
    delta.deleted.map((d) => d.value),
    ['45.50.0.1'],
  );
  const bad = await picket('blocklist', 'add', '--ip', '10.1.2.3', '--data', env.dir);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /10\.1\.2\.3' is a private/);
});

test('machines add/list/delete, stats, erase, delist with -o json', async () => {
  const add = await picket('machines', 'add', 'opsbox', '--data', env.dir, '-o', 'json');
  assert.equal(add.code, 0, add.err);
  const { password } = JSON.parse(add.out) as { password: string };
  assert.equal(
    (await call(`${env.url}/v3/watchers/login`, 'POST', { machine_id: 'opsbox', password, scenarios: [] })).status,
    200,
  );
  const list = JSON.parse((await picket('machines', 'list', '--data', env.dir, '-o', 'json')).out) as Array<{
    machine_id: string;
    network: string;
  }>;
  assert.ok(list.some((m) => m.machine_id === 'opsbox'));
  const stats = JSON.parse((await picket('stats', '--data', env.dir, '-o', 'json')).out) as {
    machines: number;
    signals_stored: number;
  };
  assert.ok(stats.machines >= 1);
  assert.equal(typeof stats.signals_stored, 'number');
  assert.equal((await picket('machines', 'delete', 'opsbox', '--data', env.dir)).code, 0);
  await env.central.service.applyOps();
  assert.equal(
    (await call(`${env.url}/v3/watchers/login`, 'POST', { machine_id: 'opsbox', password, scenarios: [] })).status,
    401,
  );
  const erase = await picket('erase', '--ip', '45.50.0.9', '--data', env.dir, '-o', 'json');
  assert.deepEqual(JSON.parse(erase.out), { erased: '45.50.0.9', records_removed: 0 });
  const delist = await picket('delist', '--ip', '45.50.0.8', '--reason', 'appeal #12', '--data', env.dir, '-o', 'json');
  assert.deepEqual(JSON.parse(delist.out), { delisted: '45.50.0.8', reason: 'appeal #12' });
  assert.equal((await picket('delist', '--ip', 'nonsense', '--data', env.dir)).code, 1);
});

test('configuration: keys read, unknown keys and wrong types refused naming the file and key', () => {
  const c = parseConfig(
    'registration:\n  token: abcdefghijklmnopq\n  per_network_per_hour: 3\nconsensus:\n  list_cap: 100\n',
    'c.yaml',
  );
  assert.equal(c.registrationToken, 'abcdefghijklmnopq');
  assert.equal(c.registrationsPerNetworkPerHour, 3);
  assert.equal(c.consensus.listCap, 100);
  assert.throws(() => parseConfig('lisen: x\n', 'c.yaml'), /c\.yaml: lisen: unknown key/);
  assert.throws(
    () => parseConfig('snapshot:\n  tick_seconds: many\n', 'c.yaml'),
    /c\.yaml: snapshot\.tick_seconds: a number/,
  );
  assert.throws(
    () => parseConfig('consensus:\n  nonsense: 1\n', 'c.yaml'),
    /c\.yaml:2: consensus\.nonsense: unknown key/,
  );
  assert.throws(() => parseConfig('registration:\n  token: short\n', 'c.yaml'), /registration\.token: at least 16/);
  assert.throws(() => parseConfig(': : :\n', 'c.yaml'), /c\.yaml/);
});

test('run: refuses to start without --data, names the flag', async () => {
  const r = await picket('run', '--listen', '127.0.0.1:0');
  assert.equal(r.code, 1);
  assert.match(r.err, /--data DIR is required/);
  assert.ok(!fs.existsSync(path.join(process.cwd(), 'central-secret.json')));
});

test('run: a real server process with the real consensus; blocklist add from another process; SIGTERM stops it', async () => {
  const dir = fs.mkdtempSync(path.join(env.dir, 'run-'));
  const { url, child } = await spawnCentral(['--listen', '127.0.0.1:0', '--data', dir]);
  try {
    const login = 'x'.repeat(48),
      password = 'p'.repeat(64);
    assert.equal((await call(`${url}/v3/watchers`, 'POST', { machine_id: login, password })).status, 200);
    const token = (
      (
        await call(`${url}/v3/watchers/login`, 'POST', {
          machine_id: login,
          password,
          scenarios: ['crowdsecurity/ssh-bf'],
        })
      ).json as { token: string }
    ).token;
    const first = await call(`${url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token });
    assert.deepEqual(first.json, { new: [], deleted: [], links: { blocklists: [] } });
    assert.equal((await picket('blocklist', 'add', '--ip', '45.51.0.1', '--data', dir)).code, 0);
    let links: unknown[] = [];
    for (let i = 0; i < 100 && links.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      links = (
        (await call(`${url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token })).json as {
          links: { blocklists: unknown[] };
        }
      ).links.blocklists;
    }
    assert.equal(links.length, 1);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
