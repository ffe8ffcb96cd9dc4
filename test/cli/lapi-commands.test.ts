// The LAPI commands of `picket` against a real `picket run --no-agent` (LMDB in a temp dir, HTTP on
// 127.0.0.1): bouncer keys, decisions add/list/delete/import seen by a BouncerClient, machines, alerts,
// lapi status, -o json/raw, and clear errors with exit code 2 for bad flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient, WatcherClient, LapiError } from '../../src/client/index.js';
import { readCredentials } from '../../src/config/credentials.js';
import { picket, startPicket, type RunningPicket } from './helpers.js';

let lapi: RunningPicket;
let key = '';
let json: BouncerClient;
let proto: BouncerClient;
const data = () => ['--data', lapi.data];

before(async () => {
  lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const r = await picket(['bouncers', 'add', 'test-fw', '-o', 'raw', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  key = r.stdout.trim();
  json = new BouncerClient({ url: lapi.url, apiKey: key });
  proto = new BouncerClient({ url: lapi.url, apiKey: key, format: 'protobuf' });
});

after(async () => {
  await json?.close();
  await proto?.close();
  const code = await lapi?.stop();
  if (lapi) fs.rmSync(lapi.dir, { recursive: true, force: true });
  assert.equal(code, 0, lapi?.stderr());
});

test('bouncers add -o raw prints only a 32-hex key; the LAPI accepts it at once', async () => {
  assert.match(key, /^[0-9a-f]{32}$/);
  const first = await json.stream({ startup: true });
  assert.ok(Array.isArray(first.new) && Array.isArray(first.deleted));
});

test('decisions add reaches the bouncer stream, decisions delete shows it in deleted (json and protobuf)', async () => {
  await json.stream({ startup: true });
  const add = await picket(['decisions', 'add', '--ip', '192.0.2.10', '--duration', '2m', ...data()]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /Decision successfully added/);
  const delta = await json.stream();
  const d = delta.new.find((x) => x.value === '192.0.2.10');
  assert.ok(d, JSON.stringify(delta));
  assert.equal(d.scope, 'Ip');
  assert.equal(d.type, 'ban');
  assert.equal(d.origin, 'cscli');
  assert.match(d.scenario, /^manual 'ban' from '.+'$/);
  assert.ok(d.durationSeconds > 100 && d.durationSeconds <= 120, String(d.durationSeconds));

  const viaProto = await proto.lookup({ ip: '192.0.2.10' });
  const viaJson = await json.lookup({ ip: '192.0.2.10' });
  assert.deepEqual(
    viaProto.map((x) => [x.id, x.value, x.scope, x.type, x.origin, x.scenario]),
    viaJson.map((x) => [x.id, x.value, x.scope, x.type, x.origin, x.scenario]),
  );
  assert.equal(viaJson.length, 1);
  assert.deepEqual(await json.lookup({ ip: '192.0.2.11' }), []);

  const del = await picket(['decisions', 'delete', '--ip', '192.0.2.10', ...data()]);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, /^1 decision\(s\) deleted/);
  const after = await json.stream();
  const gone = after.deleted.find((x) => x.value === '192.0.2.10');
  assert.ok(gone, JSON.stringify(after));
  assert.ok(gone.durationSeconds <= 0);
  assert.deepEqual(await json.lookup({ ip: '192.0.2.10' }), []);
});

test('decisions add of a range, a custom scope and a captcha; list -o json/raw/human; delete --id', async () => {
  for (const args of [
    ['--range', '198.51.100.0/24', '-d', '3m'],
    ['--scope', 'username', '--value', 'bob', '-d', '10m', '-R', 'probe-username'],
    ['-i', '2001:db8::5', '-t', 'captcha'],
  ]) {
    const r = await picket(['decisions', 'add', ...args, ...data()]);
    assert.equal(r.code, 0, r.stderr);
  }
  const list = await picket(['decisions', 'list', '-o', 'json', ...data()]);
  assert.equal(list.code, 0, list.stderr);
  const alerts = JSON.parse(list.stdout) as Array<{
    id: number;
    decisions: Array<{ id: number; value: string; scope: string; type: string; scenario: string }>;
  }>;
  const all = alerts.flatMap((a) => a.decisions);
  const range = all.find((d) => d.value === '198.51.100.0/24');
  assert.equal(range?.scope, 'Range');
  assert.equal(all.find((d) => d.value === 'bob')?.scenario, 'probe-username');
  assert.equal(all.find((d) => d.value === '2001:db8::5')?.type, 'captcha');

  const raw = await picket(['decisions', 'list', '-o', 'raw', ...data()]);
  const lines = raw.stdout.trim().split('\n');
  assert.equal(lines[0], 'id,source,ip,reason,action,country,as,events_count,expiration,simulated,alert_id');
  assert.ok(
    lines.some((l) => l.includes(',Range:198.51.100.0/24,')),
    raw.stdout,
  );

  const human = await picket(['decisions', 'list', '--type', 'captcha', ...data()]);
  assert.match(human.stdout, /Ip:2001:db8::5/);
  assert.doesNotMatch(human.stdout, /198\.51\.100\.0/);

  const byId = await picket(['decisions', 'delete', '--id', String(range!.id), ...data()]);
  assert.equal(byId.code, 0, byId.stderr);
  assert.match(byId.stdout, /^1 decision\(s\) deleted/);
  const again = JSON.parse((await picket(['decisions', 'list', '-o', 'json', ...data()])).stdout) as typeof alerts;
  assert.ok(!again.flatMap((a) => a.decisions).some((d) => d.value === '198.51.100.0/24'));
  const rest = await picket(['decisions', 'delete', '--all', ...data()]);
  assert.match(rest.stdout, /^2 decision\(s\) deleted/);
  assert.match((await picket(['decisions', 'list', ...data()])).stdout, /No active decisions/);
});

test('decisions import of 10,000 IPs from a file reaches the stream (1,000 per alert)', async () => {
  await json.stream({ startup: true });
  const file = path.join(lapi.dir, 'ips.txt');
  const ips: string[] = [];
  for (let i = 0; i < 10_000; i++) ips.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  fs.writeFileSync(file, '# blocklist\n' + ips.join('\n') + '\n');
  const r = await picket(['decisions', 'import', '-i', file, '--duration', '1h', '--reason', 'blocklist-x', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Imported 10000 decisions/);
  const delta = await json.stream();
  const got = new Set(delta.new.filter((d) => d.scenario === 'blocklist-x').map((d) => d.value));
  assert.equal(got.size, 10_000);
  for (const ip of [ips[0], ips[5000], ips[9999]]) assert.ok(got.has(ip), ip);
  assert.ok(delta.new.every((d) => d.scenario !== 'blocklist-x' || d.origin === 'cscli-import'));
  const snapshot = await proto.stream({ startup: true, origins: ['cscli-import'] });
  assert.equal(snapshot.new.filter((d) => d.scenario === 'blocklist-x').length, 10_000);
  const alerts = JSON.parse(
    (await picket(['alerts', 'list', '--limit', '0', '-o', 'json', ...data()])).stdout,
  ) as Array<{ scenario: string; decisions: unknown[] }>;
  const imports = alerts.filter((a) => a.scenario.startsWith('import '));
  assert.equal(imports.length, 10);
  assert.ok(imports.every((a) => a.decisions.length === 1000));
  const del = await picket(['decisions', 'delete', '--scenario', 'blocklist-x', ...data()]);
  assert.match(del.stdout, /^10000 decision\(s\) deleted/);
});

test('decisions import: CSV and JSON formats, and a bad line is named before anything is sent', async () => {
  const csv = path.join(lapi.dir, 'd.csv');
  fs.writeFileSync(csv, 'value,duration,type,reason\n192.0.2.50,1h,captcha,from-csv\n192.0.2.0/28,2h,ban,from-csv\n');
  const r1 = await picket(['decisions', 'import', '-i', csv, ...data()]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /Imported 2 decisions/);
  const jsonFile = path.join(lapi.dir, 'd.json');
  fs.writeFileSync(
    jsonFile,
    JSON.stringify([
      { value: '192.0.2.60', reason: 'from-json' },
      { value: 'FR', scope: 'country', reason: 'from-json' },
    ]),
  );
  const r2 = await picket(['decisions', 'import', '--input', jsonFile, ...data()]);
  assert.match(r2.stdout, /Imported 2 decisions/);
  const fromStdin = await picket(['decisions', 'import', '-i', '-', '--type', 'captcha', ...data()], {
    input: '192.0.2.61\n\n2001:db8::61\n',
  });
  assert.match(fromStdin.stdout, /Imported 2 decisions/, fromStdin.stderr);
  assert.equal((await json.lookup({ ip: '2001:db8::61' }))[0]?.type, 'captcha');
  const got = await json.lookup({ ip: '192.0.2.5' });
  assert.deepEqual(
    got.map((d) => [d.value, d.scope, d.scenario]),
    [['192.0.2.0/28', 'Range', 'from-csv']],
  );
  const country = await json.lookup({ scope: 'country', value: 'FR' });
  assert.equal(country[0]?.scope, 'Country');

  const bad = path.join(lapi.dir, 'bad.txt');
  fs.writeFileSync(bad, '192.0.2.70\n192.0.2.71\nnot-an-ip\n');
  const r3 = await picket(['decisions', 'import', '-i', bad, ...data()]);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /bad\.txt:3: 'not-an-ip' is not a valid IP address/);
  assert.deepEqual(await json.lookup({ ip: '192.0.2.70' }), []);
  await picket(['decisions', 'delete', '--all', ...data()]);
});

test('alerts list, inspect and delete', async () => {
  await picket(['decisions', 'add', '-i', '203.0.113.7', '-R', 'alert-test', ...data()]);
  const list = await picket(['alerts', 'list', '--scenario', 'alert-test', '-o', 'json', ...data()]);
  assert.equal(list.code, 0, list.stderr);
  const alerts = JSON.parse(list.stdout) as Array<{ id: number; scenario: string; machine_id: string }>;
  assert.equal(alerts.length, 1);
  const id = alerts[0].id;
  const human = await picket(['alerts', 'list', ...data()]);
  assert.match(human.stdout, /Ip:203\.0\.113\.7 .*alert-test/);
  const inspect = await picket(['alerts', 'inspect', String(id), ...data()]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, new RegExp(`- ID +: ${id}\\n`));
  assert.match(inspect.stdout, /- Reason +: alert-test/);
  assert.match(inspect.stdout, /Ip:203\.0\.113\.7/);
  const inspectJson = JSON.parse((await picket(['alerts', 'inspect', String(id), '-o', 'json', ...data()])).stdout) as {
    id: number;
    decisions: unknown[];
  };
  assert.equal(inspectJson.id, id);
  assert.equal(inspectJson.decisions.length, 1);
  const del = await picket(['alerts', 'delete', '--id', String(id), ...data()]);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, /^1 alert\(s\) deleted/);
  const missing = await picket(['alerts', 'inspect', String(id), ...data()]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /picket alerts: Local API error: .*status 404/);
  await picket(['decisions', 'add', '-i', '203.0.113.8', '-R', 'alert-test-2', ...data()]);
  const byScenario = await picket(['alerts', 'delete', '--scenario', 'alert-test-2', ...data()]);
  assert.match(byScenario.stdout, /^1 alert\(s\) deleted/);
  await picket(['decisions', 'add', '-i', '203.0.113.9', ...data()]);
  const all = await picket(['alerts', 'delete', '--all', ...data()]);
  assert.match(all.stdout, /^[1-9]\d* alert\(s\) deleted/);
  assert.match((await picket(['alerts', 'list', ...data()])).stdout, /No active alerts/);
});

test('machines add/list/validate/delete and lapi status with a credentials file', async () => {
  const file = path.join(lapi.dir, 'm1.yaml');
  const add = await picket(['machines', 'add', 'm1', '--auto', '-f', file, '--url', lapi.url, ...data()]);
  assert.equal(add.code, 0, add.stderr);
  const creds = readCredentials(file);
  assert.equal(creds.login, 'm1');
  assert.equal(creds.url, lapi.url);
  assert.ok(creds.password.length >= 32);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const status = await picket(['lapi', 'status', '-c', file, ...data()]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /You can successfully interact with Local API/);
  const again = await picket(['machines', 'add', 'm1', '--password', 'x', ...data()]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /machine 'm1' already exists/);

  // a machine registered over HTTP is not validated: login fails until `machines validate`
  const w = new WatcherClient({ url: lapi.url, machineId: 'm2', password: 'secret-m2' });
  try {
    const reg = await fetch(new URL('v1/watchers', lapi.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ machine_id: 'm2', password: 'secret-m2' }),
    });
    assert.equal(reg.status, 201);
    await assert.rejects(
      w.login(),
      (e: unknown) => e instanceof LapiError && e.status === 401 && /not validated/.test(e.serverMessage),
    );
    const listed = JSON.parse((await picket(['machines', 'list', '-o', 'json', ...data()])).stdout) as Array<{
      machineId: string;
      isValidated: boolean;
    }>;
    assert.equal(listed.find((m) => m.machineId === 'm2')?.isValidated, false);
    assert.equal(listed.find((m) => m.machineId === 'm1')?.isValidated, true);
    const v = await picket(['machines', 'validate', 'm2', ...data()]);
    assert.equal(v.code, 0, v.stderr);
    const login = await w.login();
    assert.ok(login.token.length > 20);
  } finally {
    await w.close();
  }
  const human = await picket(['machines', 'list', ...data()]);
  assert.match(human.stdout, /│ m1 /);
  const raw = await picket(['machines', 'list', '-o', 'raw', ...data()]);
  assert.match(raw.stdout, /^machine_id,ip_address,/);
  const del = await picket(['machines', 'delete', 'm1', 'm2', ...data()]);
  assert.equal(del.code, 0, del.stderr);
  const denied = await picket(['lapi', 'status', '-c', file, ...data()]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /failed to authenticate/);
  const stdoutCreds = await picket([
    'machines',
    'add',
    'm3',
    '--password',
    'pw-m3',
    '-f',
    '-',
    '--url',
    lapi.url,
    ...data(),
  ]);
  assert.match(stdoutCreds.stdout, /^url: http:\/\/127\.0\.0\.1:\d+\/\nlogin: m3\npassword: pw-m3\n$/);
});

test('bouncers list (json, raw, human) and delete: a deleted key is refused', async () => {
  const r = await picket(['bouncers', 'add', 'tmp-b', '--key', 'my-own-key-123', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /API key for 'tmp-b':\n\n {3}my-own-key-123\n/);
  // only the SHA-512 of the key is stored: the key itself appears nowhere in the data file, its digest does
  const mdb = fs.readFileSync(path.join(lapi.data, 'picket.mdb'));
  assert.equal(mdb.includes('my-own-key-123'), false);
  assert.equal(mdb.includes(crypto.createHash('sha512').update('my-own-key-123').digest('hex')), true);
  const c = new BouncerClient({
    url: lapi.url,
    apiKey: 'my-own-key-123',
    userAgent: 'crowdsec-firewall-bouncer/v0.0.31',
  });
  try {
    await c.stream({ startup: true });
    const list = JSON.parse((await picket(['bouncers', 'list', '-o', 'json', ...data()])).stdout) as Array<{
      name: string;
      type: string;
      version: string;
      ip_address: string;
    }>;
    const b = list.find((x) => x.name === 'tmp-b');
    assert.equal(b?.type, 'crowdsec-firewall-bouncer');
    assert.equal(b?.version, 'v0.0.31');
    assert.equal(b?.ip_address, '127.0.0.1');
    assert.match((await picket(['bouncers', 'list', ...data()])).stdout, /│ tmp-b +│ 127\.0\.0\.1/);
    assert.match(
      (await picket(['bouncers', 'list', '-o', 'raw', ...data()])).stdout,
      /^name,ip,revoked,last_pull,type,version,auth_type\n/,
    );
    const dup = await picket(['bouncers', 'add', 'tmp-b', ...data()]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /bouncer 'tmp-b' already exists/);
    const del = await picket(['bouncers', 'delete', 'tmp-b', ...data()]);
    assert.equal(del.code, 0, del.stderr);
    await assert.rejects(
      c.stream(),
      (e: unknown) => e instanceof LapiError && e.status === 403 && e.serverMessage === 'access forbidden',
    );
    const gone = await picket(['bouncers', 'delete', 'tmp-b', ...data()]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /does not exist/);
  } finally {
    await c.close();
  }
});

test('bad flags and arguments: clear message, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['decisions', 'add', ...data()], /give exactly one of --ip, --range or --value/],
    [['decisions', 'add', '--ip', 'not-an-ip', ...data()], /'not-an-ip' is not a valid IP address/],
    [['decisions', 'add', '--range', '10.0.0.1', ...data()], /not a valid CIDR range/],
    [
      ['decisions', 'add', '--ip', '192.0.2.1', '--duration', 'soon', ...data()],
      /--duration 'soon': expected a positive duration/,
    ],
    [['decisions', 'list', '--bogus', ...data()], /Unknown option '--bogus'/],
    [
      ['decisions', 'add', '--ip', '192.0.2.1', '--limit', '3', ...data()],
      /decisions add: --limit does not apply here/,
    ],
    [['decisions', 'delete', ...data()], /give at least one filter/],
    [['decisions', 'delete', '--all', '--ip', '192.0.2.1', ...data()], /--all cannot be combined/],
    [['decisions', 'frobnicate'], /unknown sub-command 'frobnicate'/],
    [['decisions', 'list', '-o', 'yaml', ...data()], /-o yaml: expected human, json, raw/],
    [['alerts', 'inspect', 'abc', ...data()], /'abc' is not an alert id/],
    [['alerts', 'delete', ...data()], /give at least one filter/],
    [['bouncers'], /expected a sub-command: add, list or delete/],
    [['bouncers', 'add', ...data()], /expected one NAME/],
    [['machines', 'add', 'x', ...data()], /give --password P or --auto/],
    [['run', '--no-api', '--no-agent'], /leave nothing to run/],
    [['run', '--listen', 'nowhere'], /--listen nowhere: expected HOST:PORT/],
  ];
  for (const [args, re] of cases) {
    const r = await picket(args);
    assert.equal(r.code, 2, `${args.join(' ')} -> ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /^picket \w+: /);
  }
});

test('-c pointing nowhere and an unreachable --url are clear errors (exit 1)', async () => {
  const noCreds = await picket(['decisions', 'list', '-c', path.join(lapi.dir, 'nope.yaml'), ...data()]);
  assert.equal(noCreds.code, 1);
  assert.match(noCreds.stderr, /credentials file .*nope\.yaml does not exist/);
  const down = await picket(['decisions', 'list', '--url', 'http://127.0.0.1:1/', ...data()]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the Local API at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
});
