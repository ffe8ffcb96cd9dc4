// Allowlists as CrowdSec 1.6+ (one `picket run --no-agent` on 127.0.0.1, the CLI as child processes): adding an
// item expires the active decisions it covers and the bouncer sees them in `deleted`; `decisions add` refuses an
// allowlisted value unless --bypass-allowlist; `decisions import` skips them and says how many; `allowlists
// check` and `allowlists import` (CSV with value, expiration, comment; errors name the file and line).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient } from '../../src/client/index.js';
import { eventually, picket, startPicket, type RunningPicket } from './helpers.js';

let lapi: RunningPicket;
let bouncer: BouncerClient;
const data = () => ['--data', lapi.data];

before(async () => {
  lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const r = await picket(['bouncers', 'add', 'fw', '-o', 'raw', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  bouncer = new BouncerClient({ url: lapi.url, apiKey: r.stdout.trim() });
  assert.equal((await picket(['allowlists', 'create', 'office', ...data()])).code, 0);
});

after(async () => {
  await bouncer?.close();
  const code = await lapi?.stop();
  if (lapi) fs.rmSync(lapi.dir, { recursive: true, force: true });
  assert.equal(code, 0, lapi?.stderr());
});

test('adding an allowlist item expires the active decisions it covers; others stay', async () => {
  for (const ip of ['198.51.100.7', '198.51.100.200', '203.0.113.9']) {
    const r = await picket(['decisions', 'add', '--ip', ip, ...data()]);
    assert.equal(r.code, 0, r.stderr);
  }
  const r = await picket(['decisions', 'add', '--range', '198.51.100.0/28', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  await bouncer.stream({ startup: true });
  const add = await picket(['allowlists', 'add', 'office', '198.51.100.0/25', ...data()]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /added 1 values to allowlist office/);
  assert.match(add.stdout, /2 active decision\(s\) on allowlisted values expired/);
  const delta = await eventually(async () => {
    const d = await bouncer.stream();
    return d.deleted.length > 0 ? d : null;
  }, 'the expired decisions in the bouncer stream');
  assert.deepEqual(delta.deleted.map((d) => d.value).sort(), ['198.51.100.0/28', '198.51.100.7']);
  assert.deepEqual(await bouncer.lookup({ ip: '198.51.100.7' }), []);
  assert.equal((await bouncer.lookup({ ip: '198.51.100.200' })).length, 1, 'outside the /25: kept');
  assert.equal((await bouncer.lookup({ ip: '203.0.113.9' })).length, 1);
});

test('decisions add refuses an allowlisted IP or range unless --bypass-allowlist', async () => {
  await eventually(
    async () =>
      (await picket(['allowlists', 'check', '198.51.100.9', ...data()])).stdout.includes('allowlisted by office'),
    'check',
  );
  let r = await picket(['decisions', 'add', '--ip', '198.51.100.9', ...data()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /198\.51\.100\.9 is allowlisted by office: use --bypass-allowlist/);
  r = await picket(['decisions', 'add', '--range', '198.51.100.16/29', ...data()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is allowlisted by office/);
  // the LAPI re-reads the allowlists within a second: once it answers, a bypassed decision is stored
  r = await picket(['decisions', 'add', '--ip', '198.51.100.9', '--bypass-allowlist', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await bouncer.lookup({ ip: '198.51.100.9' })).length, 1);
  r = await picket(['decisions', 'add', '--ip', '192.0.2.44', ...data()]);
  assert.equal(r.code, 0, 'a value outside every allowlist is added');
});

test('decisions import skips allowlisted values and says how many; --bypass-allowlist imports them', async () => {
  const file = path.join(lapi.dir, 'ips.txt');
  fs.writeFileSync(file, '198.51.100.31\n198.51.100.32\n192.0.2.77\n');
  let r = await picket(['decisions', 'import', '-i', file, ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 decision\(s\) skipped: allowlisted/);
  assert.match(r.stdout, /Imported 1 decisions/);
  assert.deepEqual(await bouncer.lookup({ ip: '198.51.100.31' }), []);
  assert.equal((await bouncer.lookup({ ip: '192.0.2.77' })).length, 1);
  r = await picket(['decisions', 'import', '-i', file, '--bypass-allowlist', ...data()]);
  assert.match(r.stdout, /Imported 3 decisions/);
  assert.equal((await bouncer.lookup({ ip: '198.51.100.31' })).length, 1);
});

test('allowlists check (human and json) and allowlists import from CSV, with errors naming the line', async () => {
  let r = await picket(['allowlists', 'check', '198.51.100.3', '10.9.9.9', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /198\.51\.100\.3 is allowlisted by office\n10\.9\.9\.9 is not allowlisted/);
  r = await picket(['allowlists', 'check', 'nope', ...data()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /'nope' is not an IP address or a CIDR range/);

  await picket(['decisions', 'add', '--ip', '10.1.2.3', ...data()]);
  const csv = path.join(lapi.dir, 'allow.csv');
  fs.writeFileSync(csv, 'value,expiration,comment\n10.1.2.3,24h,vpn\n10.4.0.0/16,,lab\n');
  r = await picket(['allowlists', 'import', 'office', '-i', csv, ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /added 2 values/);
  assert.match(r.stdout, /1 active decision\(s\) on allowlisted values expired/);
  r = await picket(['allowlists', 'check', '10.4.3.2', '-o', 'json', ...data()]);
  assert.deepEqual(JSON.parse(r.stdout), [{ value: '10.4.3.2', allowlists: ['office'] }]);
  r = await picket(['allowlists', 'inspect', 'office', '-o', 'json', ...data()]);
  const items = (JSON.parse(r.stdout) as { items: { value: string; description: string; expiration: string | null }[] })
    .items;
  const vpn = items.find((i) => i.value === '10.1.2.3');
  assert.equal(vpn?.description, 'vpn');
  assert.ok(vpn?.expiration !== null && Date.parse(vpn!.expiration) > Date.now() + 23 * 3_600_000);

  fs.writeFileSync(csv, 'value,comment\n10.5.5.5,ok\nnot-an-ip,bad\n');
  r = await picket(['allowlists', 'import', 'office', '-i', csv, ...data()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /allow\.csv:3: 'not-an-ip' is not an IP address/);
  fs.writeFileSync(csv, 'ip,comment\n10.5.5.5,ok\n');
  r = await picket(['allowlists', 'import', 'office', '-i', csv, ...data()]);
  assert.match(r.stderr, /allow\.csv:1: unknown CSV column 'ip'/);
  r = await picket(['allowlists', 'check', '10.5.5.5', ...data()]);
  assert.match(r.stdout, /not allowlisted/, 'a refused file adds nothing');
});
