// simulation.yaml honoured (CrowdSec's format; Debian's /etc/crowdsec/simulation.yaml copied unchanged when the
// crowdsec package is installed): `picket simulation enable|disable|status` edit it keeping comments; `picket
// run` with the config file's simulation_path stores the alerts of a simulated scenario with simulated
// decisions that a bouncer never receives; `picket replay --simulation` marks its alerts simulated; a bad file
// is refused naming its line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient } from '../../src/client/index.js';
import { eventually, picket, startPicket, tempDir } from './helpers.js';

const DEBIAN = '/etc/crowdsec/simulation.yaml';
const SHIPPED = 'simulation: off\n# exclusions:\n#  - crowdsecurity/ssh-bf\n';

/** Debian's file when installed, else the same text (as crowdsec 1.4.6 ships it) */
function simulationFile(dir: string): string {
  const f = path.join(dir, 'simulation.yaml');
  fs.writeFileSync(f, fs.existsSync(DEBIAN) ? fs.readFileSync(DEBIAN) : SHIPPED);
  return f;
}

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function attack(ip: string, when = new Date()): string {
  let s = '';
  for (let i = 0; i < 8; i++) {
    s += `${syslogTime(when)} web01 sshd[${100 + i}]: Failed password for invalid user admin from ${ip} port ${40000 + i} ssh2\n`;
  }
  return s;
}

test('picket simulation enable|disable|status edit simulation.yaml as cscli does, keeping comments', async () => {
  const dir = tempDir('picket-sim-');
  try {
    const f = simulationFile(dir);
    const sim = (...a: string[]) => picket(['simulation', ...a, '--file', f]);
    let r = await sim('status');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /global simulation: disabled/);
    r = await sim('enable', 'picket/ssh-bf');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /simulation mode for 'picket\/ssh-bf' enabled/);
    assert.match(fs.readFileSync(f, 'utf8'), /#\s*- crowdsecurity\/ssh-bf/, 'comments kept');
    r = await sim('status', '-o', 'json');
    assert.deepEqual(JSON.parse(r.stdout), { file: f, simulation: false, exclusions: ['picket/ssh-bf'] });
    r = await sim('enable', 'picket/ssh-bf');
    assert.match(r.stdout, /already in simulation mode/);
    r = await sim('enable', '--global');
    r = await sim('disable', 'picket/http-probing');
    r = await sim('status');
    assert.match(
      r.stdout,
      /global simulation: enabled\nScenarios not in simulation mode :\n {2}- picket\/http-probing/,
    );
    r = await sim('disable', '--global');
    r = await sim('status', '-o', 'json');
    assert.deepEqual(JSON.parse(r.stdout), { file: f, simulation: false, exclusions: [] });
    r = await sim('enable');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /either --global or at least one SCENARIO/);
    fs.writeFileSync(f, 'simulation: off\nexclusion:\n  - a/b\n');
    r = await sim('status');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /simulation\.yaml:2: field "exclusion": unknown field/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('picket run with simulation_path: a simulated scenario stores simulated decisions a bouncer never gets', async () => {
  const dir = tempDir('picket-sim-run-');
  const f = simulationFile(dir);
  assert.equal((await picket(['simulation', 'enable', 'picket/ssh-bf', '--file', f])).code, 0);
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(config, `simulation_path: ${f}\n`);
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const p = await startPicket(
    ['--config', config, '--acquis', acquis, '--workers', '1', '--poll', '50', '--metrics', 'off'],
    dir,
  );
  let bouncer: BouncerClient | null = null;
  try {
    const key = (await picket(['bouncers', 'add', 'fw', '-o', 'raw', '--data', p.data])).stdout.trim();
    bouncer = new BouncerClient({ url: p.url, apiKey: key });
    await bouncer.stream({ startup: true });
    fs.appendFileSync(log, attack('192.0.2.78'));
    type A = { scenario: string; simulated: boolean; decisions: { simulated: boolean; value: string }[] };
    const alert = await eventually(
      async () => {
        const r = await picket(['alerts', 'list', '-o', 'json', '--data', p.data]);
        return (JSON.parse(r.stdout) as A[]).find((a) => a.scenario === 'picket/ssh-bf');
      },
      'the simulated alert in the LAPI',
      20_000,
    );
    assert.equal(alert.simulated, true);
    assert.equal(alert.decisions.length, 1);
    assert.equal(alert.decisions[0]!.simulated, true);
    const delta = await bouncer.stream();
    assert.deepEqual(delta.new, [], 'a bouncer never receives a simulated decision');
    assert.deepEqual(await bouncer.lookup({ ip: '192.0.2.78' }), []);
    const list = await picket(['decisions', 'list', '--data', p.data]);
    assert.match(list.stdout, /\(simul\)ban/);
  } finally {
    await bouncer?.close();
    const code = await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, p.stderr());
  }
});

test('picket replay --simulation marks the alerts of simulated scenarios; a bad file is refused with its line', async () => {
  const dir = tempDir('picket-sim-replay-');
  try {
    const log = path.join(dir, 'auth.log');
    fs.writeFileSync(log, attack('192.0.2.79', new Date(Date.UTC(2026, 2, 3, 10, 0, 0))));
    const f = simulationFile(dir);
    const replay = (...a: string[]) =>
      picket(['replay', '--file', log, '--type', 'syslog', '--year', '2026', '--json', '--workers', '0', ...a]);
    type R = { alerts: { scenario: string; simulated: boolean }[] };
    let r = await replay('--simulation', f);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as R).alerts.map((a) => [a.scenario, a.simulated]),
      [['picket/ssh-bf', false]],
    );
    fs.writeFileSync(f, 'simulation: on\n');
    r = await replay('--simulation', f);
    assert.deepEqual(
      (JSON.parse(r.stdout) as R).alerts.map((a) => [a.scenario, a.simulated]),
      [['picket/ssh-bf', true]],
    );
    fs.writeFileSync(f, 'simulation: on\nexclusions:\n  - picket/ssh-bf\n');
    r = await replay('--simulation', f);
    assert.deepEqual(
      (JSON.parse(r.stdout) as R).alerts.map((a) => a.simulated),
      [false],
    );
    fs.writeFileSync(f, 'simulation: maybe\n');
    r = await replay('--simulation', f);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /simulation\.yaml:1: field "simulation": expected a boolean/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
