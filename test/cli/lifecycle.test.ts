// `picket run` lifecycle as an operator meets it: an address that cannot be bound (LAPI or metrics) is a
// start failure with a non-zero exit; one data folder, one daemon (a second run is refused naming the first
// one's PID, a stale lock of a dead process is taken over); the data folder and the store are private.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { eventually, picket, startPicket, tempDir } from './helpers.js';

test('picket run exits non-zero at once when the metrics address is taken', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  const dir = tempDir('picket-life-metrics-');
  try {
    for (const extra of [['--no-agent'], ['--stdin', '--type', 'syslog', '--workers', '0']]) {
      const r = await picket(
        [
          'run',
          ...extra,
          '--listen',
          '127.0.0.1:0',
          '--metrics',
          `127.0.0.1:${port}`,
          '--data',
          path.join(dir, 'data'),
        ],
        { input: '' },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`metrics server on 127\\.0\\.0\\.1:${port} not started: .*EADDRINUSE`));
      // the lock was released: the folder can be used again
      assert.equal(fs.existsSync(path.join(dir, 'data', 'picket.pid')), false);
    }
  } finally {
    blocker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('one data folder, one daemon: a second picket run is refused naming the first one', async () => {
  const p = await startPicket(['--no-agent', '--metrics', 'off']);
  try {
    const credsFile = path.join(p.data, 'local_api_credentials.yaml');
    const creds = fs.readFileSync(credsFile, 'utf8');
    assert.equal(fs.readFileSync(path.join(p.data, 'picket.pid'), 'utf8').trim(), String(p.child.pid));
    const r = await picket(['run', '--no-agent', '--metrics', 'off', '--listen', '127.0.0.1:0', '--data', p.data]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`in use by another picket run \\(PID ${p.child.pid}`));
    // the credentials of the running daemon were not rewritten
    assert.equal(fs.readFileSync(credsFile, 'utf8'), creds);
    const a = await picket(
      [
        'run',
        '--stdin',
        '--type',
        'syslog',
        '--workers',
        '0',
        '--metrics',
        'off',
        '--listen',
        '127.0.0.1:0',
        '--data',
        p.data,
      ],
      { input: '' },
    );
    assert.equal(a.code, 1, a.stderr);
    assert.match(a.stderr, /in use by another picket run/);
  } finally {
    const code = await p.stop();
    assert.equal(code, 0);
    assert.equal(fs.existsSync(path.join(p.data, 'picket.pid')), false, 'lock removed at stop');
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

test('a stale lock of a dead process is taken over', async () => {
  const dir = tempDir('picket-life-stale-');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  fs.writeFileSync(path.join(data, 'picket.pid'), `${dead}\n`);
  const p = await startPicket(['--no-agent', '--metrics', 'off'], dir);
  try {
    assert.equal(fs.readFileSync(path.join(data, 'picket.pid'), 'utf8').trim(), String(p.child.pid));
  } finally {
    await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the data folder and picket.mdb are created readable by their owner only', async () => {
  const p = await startPicket(['--no-agent', '--metrics', 'off']);
  try {
    assert.equal(fs.statSync(p.data).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(p.data, 'picket.mdb')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(p.data, 'picket.pid')).mode & 0o777, 0o600);
  } finally {
    await p.stop();
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

test('a log type no parser accepts is reported at start with the known types', async () => {
  const dir = tempDir('picket-life-type-');
  try {
    const acquis = (type: string): string => {
      const f = path.join(dir, `${type}.yaml`);
      fs.writeFileSync(f, `source: stdin\nlabels:\n  type: ${type}\n`);
      return f;
    };
    const args = [
      'run',
      '--workers',
      '0',
      '--metrics',
      'off',
      '--listen',
      '127.0.0.1:0',
      '--data',
      path.join(dir, 'data'),
    ];
    const bad = await picket([...args, '--acquis', acquis('sylog')], { input: '' });
    assert.equal(bad.code, 0, bad.stderr);
    assert.match(
      bad.stderr,
      /ERROR: log type 'sylog' \(labels\.type\) is not accepted by any parser: .*known types: .*\bnginx\b.*\bsyslog\b/,
    );
    const good = await picket([...args, '--acquis', acquis('nginx')], { input: '' });
    assert.doesNotMatch(good.stderr, /not accepted by any parser/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP reloads the profiles (the process keeps running); an invalid file keeps the running ones', async () => {
  const dir = tempDir('picket-life-hup-');
  const file = path.join(dir, 'profiles.yaml');
  const profile = (name: string) =>
    `name: ${name}\nfilters: ['Alert.Remediation == true']\ndecisions:\n  - type: ban\n    duration: 1h\non_success: break\n`;
  fs.writeFileSync(file, profile('one'));
  const p = await startPicket(['--no-agent', '--metrics', 'off', '--profiles', file], dir);
  try {
    fs.writeFileSync(file, `${profile('a')}---\n${profile('b')}`);
    p.child.kill('SIGHUP');
    await eventually(
      async () => /SIGHUP: profiles reloaded from .*profiles\.yaml \(2 profile\(s\)\)/.test(p.stderr()),
      'the reload line',
    );
    fs.writeFileSync(file, 'name: [broken\n');
    p.child.kill('SIGHUP');
    await eventually(
      async () => /SIGHUP: ERROR: .*profiles\.yaml.*; the running profiles stay/.test(p.stderr()),
      'the error line',
    );
    assert.equal(p.child.exitCode, null, 'still running');
    const r = await fetch(new URL('health', p.url));
    assert.equal(r.status, 200);
  } finally {
    const code = await p.stop();
    assert.equal(code, 0, p.stderr());
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
