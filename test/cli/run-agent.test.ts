// `picket run` with its defaults (agent + LAPI in one process): attack lines appended to a tailed log
// raise an alert, the in-process LAPI's default profile turns it into a 4 h ban, and a bouncer key created
// with `picket bouncers add` sees it in the stream; one /metrics serves agent and LAPI families; --no-api
// forwards the alert to another LAPI as a watcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient } from '../../src/client/index.js';
import { eventually, picket, startPicket, tempDir } from './helpers.js';
import { spawn } from 'node:child_process';
import { BIN } from './helpers.js';

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function attack(ip: string): string {
  const now = syslogTime(new Date());
  let s = '';
  for (let i = 0; i < 8; i++)
    s += `${now} web01 sshd[${100 + i}]: Failed password for invalid user admin${i} from ${ip} port ${40000 + i} ssh2\n`;
  return s;
}

function setupAcquis(dir: string): { log: string; acquis: string } {
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  return { log, acquis };
}

test('picket run (agent + LAPI): an alert of the agent becomes a decision a bouncer sees; one /metrics for both', async () => {
  const dir = tempDir('picket-run-lapi-');
  const { log, acquis } = setupAcquis(dir);
  const p = await startPicket(['--acquis', acquis, '--workers', '0', '--poll', '50', '--metrics', '127.0.0.1:0'], dir);
  let bouncer: BouncerClient | null = null;
  try {
    const key = (await picket(['bouncers', 'add', 'fw', '-o', 'raw', '--data', p.data])).stdout.trim();
    assert.match(key, /^[0-9a-f]{32}$/);
    bouncer = new BouncerClient({ url: p.url, apiKey: key });
    const poller = bouncer.poll();
    const first = await poller.next();
    assert.equal(first.new.length, 0);
    fs.appendFileSync(log, attack('192.0.2.77'));
    const ban = await eventually(
      async () => (await poller.next()).new.find((d) => d.value === '192.0.2.77'),
      'the ban in the stream',
      20_000,
    );
    assert.equal(ban.scope, 'Ip');
    assert.equal(ban.type, 'ban');
    assert.equal(ban.origin, 'crowdsec');
    assert.equal(ban.scenario, 'picket/ssh-bf');
    assert.ok(ban.durationSeconds > 4 * 3600 - 120 && ban.durationSeconds <= 4 * 3600, String(ban.durationSeconds));
    assert.match(p.stdout(), /picket\/ssh-bf Ip:192\.0\.2\.77 \d+ events/);
    // the alert is listed with the machine of the local credentials
    const alerts = JSON.parse((await picket(['alerts', 'list', '-o', 'json', '--data', p.data])).stdout) as Array<{
      scenario: string;
      machine_id: string;
      source: { value: string };
    }>;
    const a = alerts.find((x) => x.scenario === 'picket/ssh-bf');
    assert.equal(a?.source.value, '192.0.2.77');
    assert.match(a!.machine_id, /-picket-cli$/);
    const metricsUrl = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr())?.[1];
    assert.ok(metricsUrl, p.stderr());
    const text = await (await fetch(metricsUrl)).text();
    assert.match(text, /^cs_parser_hits_total/m);
    assert.match(text, /^cs_lapi_bouncer_requests_total\{/m);
    assert.match(text, /^cs_active_decisions\{/m);
  } finally {
    await bouncer?.close();
    const code = await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, p.stderr());
    assert.match(p.stderr(), /alerts to the Local API: [1-9]\d* stored, 0 refused, 0 dropped/);
  }
});

test('picket run --no-api sends the alerts to a remote LAPI as a watcher', async () => {
  const lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const dir = tempDir('picket-run-noapi-');
  const { log, acquis } = setupAcquis(dir);
  const creds = path.join(dir, 'agent.yaml');
  let bouncer: BouncerClient | null = null;
  const add = await picket([
    'machines',
    'add',
    'agent-1',
    '--auto',
    '-f',
    creds,
    '--url',
    lapi.url,
    '--data',
    lapi.data,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const agent = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--no-api',
      '--acquis',
      acquis,
      '-c',
      creds,
      '--workers',
      '0',
      '--poll',
      '50',
      '--metrics',
      'off',
      '--data',
      path.join(dir, 'data'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  agent.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  try {
    const key = (await picket(['bouncers', 'add', 'fw', '-o', 'raw', '--data', lapi.data])).stdout.trim();
    bouncer = new BouncerClient({ url: lapi.url, apiKey: key, format: 'protobuf' });
    await eventually(async () => /watching/.test(err) || agent.exitCode !== null, 'the agent to start', 30_000);
    assert.equal(agent.exitCode, null, err);
    assert.match(err, /sending alerts to the Local API at http:\/\/127\.0\.0\.1:\d+\/ \(--no-api\)/);
    fs.appendFileSync(log, attack('192.0.2.78'));
    const ban = await eventually(
      async () => (await bouncer!.lookup({ ip: '192.0.2.78' }))[0],
      'the ban from the remote agent',
      20_000,
    );
    assert.equal(ban.scenario, 'picket/ssh-bf');
    const machines = JSON.parse(
      (await picket(['machines', 'list', '-o', 'json', '--data', lapi.data])).stdout,
    ) as Array<{ machineId: string; version: string; scenarios: string }>;
    const m = machines.find((x) => x.machineId === 'agent-1');
    assert.equal(m?.version, 'v0.1.0');
    // the agent logged in with its scenario list
    assert.ok(m.scenarios.split(',').includes('picket/ssh-bf'), m.scenarios);
  } finally {
    await bouncer?.close();
    const exited = new Promise<number | null>((r) => {
      if (agent.exitCode !== null) r(agent.exitCode);
      else agent.once('exit', (c) => r(c));
    });
    agent.kill('SIGTERM');
    const code = await exited;
    await lapi.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(lapi.dir, { recursive: true, force: true });
    assert.equal(code, 0, err);
    assert.match(err, /alerts to http:\/\/127\.0\.0\.1:\d+\/: [1-9]\d* sent, 0 dropped, 0 refused/);
  }
});

test('picket replay --lapi sends the replay alerts to a LAPI as a watcher; bad credentials fail before replaying', async () => {
  const lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const dir = tempDir('picket-replay-lapi-');
  let bouncer: BouncerClient | null = null;
  try {
    const log = path.join(dir, 'auth.log');
    fs.writeFileSync(log, attack('192.0.2.79'));
    const creds = path.join(lapi.data, 'local_api_credentials.yaml');
    const r = await picket([
      'replay',
      '--file',
      log,
      '--type',
      'syslog',
      '--workers',
      '0',
      '--lapi',
      lapi.url,
      '-c',
      creds,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const sent = /alerts to http:\/\/127\.0\.0\.1:\d+\/: (\d+) sent, 0 refused, 0 not delivered/.exec(r.stderr);
    assert.ok(sent, r.stderr);
    const key = (await picket(['bouncers', 'add', 'fw', '-o', 'raw', '--data', lapi.data])).stdout.trim();
    bouncer = new BouncerClient({ url: lapi.url, apiKey: key });
    const got = await bouncer.lookup({ ip: '192.0.2.79' });
    // one ban per alert of the replay (ssh-bf, and ssh-bf_user-enum for these invalid users)
    assert.equal(got.length, Number(sent[1]));
    assert.ok(
      got.some((d) => d.scenario === 'picket/ssh-bf'),
      JSON.stringify(got),
    );
    const bad = await picket([
      'replay',
      '--file',
      log,
      '--type',
      'syslog',
      '--lapi',
      lapi.url,
      '-c',
      path.join(dir, 'missing.yaml'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /needs machine credentials: credentials file .*missing\.yaml does not exist/);
    assert.doesNotMatch(bad.stdout, /lines read/);
  } finally {
    await bouncer?.close();
    await lapi.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(lapi.dir, { recursive: true, force: true });
  }
});

test('picket run: when the LAPI cannot listen, it exits non-zero at once naming the address', async () => {
  const lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const dir = tempDir('picket-run-busy-');
  try {
    const port = new URL(lapi.url).port;
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, 'source: stdin\nlabels:\n  type: syslog\n');
    const r = await picket(
      [
        'run',
        '--acquis',
        acquis,
        '--workers',
        '0',
        '--metrics',
        'off',
        '--listen',
        `127.0.0.1:${port}`,
        '--data',
        path.join(dir, 'data'),
      ],
      { input: attack('192.0.2.80') },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Local API on 127\\.0\\.0\\.1:${port} not started: .*EADDRINUSE`));
    assert.doesNotMatch(r.stderr, /watching/);
  } finally {
    await lapi.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(lapi.dir, { recursive: true, force: true });
  }
});

test('picket run --no-api exits non-zero when it had to drop alerts', async () => {
  const dir = tempDir('picket-run-noapi-drop-');
  try {
    const creds = path.join(dir, 'agent.yaml');
    // a LAPI that is not there: port 1 on loopback refuses the connection
    fs.writeFileSync(creds, 'url: http://127.0.0.1:1/\nlogin: agent-x\npassword: pw\n');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, 'source: stdin\nlabels:\n  type: syslog\n');
    const r = await picket(
      [
        'run',
        '--no-api',
        '--acquis',
        acquis,
        '-c',
        creds,
        '--workers',
        '0',
        '--metrics',
        'off',
        '--data',
        path.join(dir, 'data'),
      ],
      { input: attack('192.0.2.81') },
    );
    assert.match(r.stdout, /picket\/ssh-bf Ip:192\.0\.2\.81/);
    assert.match(r.stderr, /[1-9]\d* dropped/);
    assert.match(r.stderr, /ERROR: [1-9]\d* alert\(s\) were not delivered: exit status 1/);
    assert.equal(r.code, 1, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
