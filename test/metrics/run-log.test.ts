import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/picket.js');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const sshLines = (ip: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${syslogTime(new Date())} web01 sshd[100]: Failed password for root from ${ip} port ${4000 + i} ssh2`,
  ).join('\n') + '\n';

async function withRun(extra: string[], body: (dir: string, stderr: () => string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-runlog-'));
  fs.writeFileSync(path.join(dir, 'auth.log'), '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${dir}/*.log\nlabels:\n  type: syslog\n`);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--acquis',
      acquis,
      '--data',
      path.join(dir, 'data'),
      '--workers',
      '0',
      '--poll',
      '50',
      '--metrics',
      'off',
      '--listen',
      '127.0.0.1:0',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout!.resume();
  try {
    const deadline = Date.now() + 30000;
    while (!/watching/.test(err)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not started\n${err}`);
      await sleep(50);
    }
    await sleep(300);
    await body(dir, () => err);
  } finally {
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null) r();
      else child.once('exit', () => r());
    });
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(re: RegExp, stderr: () => string, what: string): Promise<void> {
  const deadline = Date.now() + 20000;
  while (!re.test(stderr())) {
    if (Date.now() > deadline) assert.fail(`${what} never logged:\n${stderr()}`);
    await sleep(100);
  }
}

test('picket run logs the decision of each alert, file events and a periodic throughput summary', async () => {
  await withRun(['--summary', '1'], async (dir, stderr) => {
    const log = path.join(dir, 'auth.log');
    fs.appendFileSync(log, sshLines('192.0.2.77', 8));
    await waitFor(/\/ssh-bf by ip 192\.0\.2\.77 \([^)]*\) : 4h ban on Ip 192\.0\.2\.77/, stderr, 'alert line');
    await waitFor(
      /last \d+s: \d+ lines \(\d+\/s\), \d+ parsed, \d+ unparsed, \d+ alerts; total 8 lines, [1-9]\d* alerts/,
      stderr,
      'summary',
    );
    fs.truncateSync(log, 0);
    await waitFor(new RegExp(`file ${log} truncated`), stderr, 'truncation');
    fs.writeFileSync(path.join(dir, 'new.log'), 'x\n');
    await waitFor(new RegExp(`file ${dir}/new\\.log appeared`), stderr, 'new file');
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(log, 'y\n');
    await waitFor(new RegExp(`file ${log} rotated`), stderr, 'rotation');
  });
});

test('picket run --log-level error: no per-alert, file or summary lines', async () => {
  await withRun(['--summary', '1', '--log-level', 'error'], async (dir, stderr) => {
    const log = path.join(dir, 'auth.log');
    fs.appendFileSync(log, sshLines('192.0.2.78', 8));
    fs.writeFileSync(path.join(dir, 'new.log'), 'x\n');
    await sleep(2500);
    assert.doesNotMatch(stderr(), /ban on Ip|appeared|last \d+s:/);
  });
  const bad = spawn(process.execPath, [BIN, 'run', '--log-level', 'loud'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  bad.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => bad.on('close', r));
  assert.equal(code, 2);
  assert.match(err, /--log-level loud: expected one of/);
});

test("picket run: the config's log_level takes effect (debug, error) and --log-level overrides it (trace)", async () => {
  const confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-runlog-conf-'));
  const conf = (level: string): string => {
    const f = path.join(confDir, `${level}.yaml`);
    fs.writeFileSync(f, `log_level: ${level}\n`);
    return f;
  };
  try {
    await withRun(['--config', conf('debug')], async (dir, stderr) => {
      assert.match(stderr(), /^picket run: debug: log level debug; config \S+debug\.yaml;/m);
      const log = path.join(dir, 'auth.log');
      fs.appendFileSync(log, sshLines('192.0.2.79', 8));
      await waitFor(new RegExp(`^picket run: debug: read positions saved: .*${log}@\\d+`, 'm'), stderr, 'checkpoint');
      await waitFor(/ban on Ip 192\.0\.2\.79/, stderr, 'alert line (info, shown at debug)');
      assert.doesNotMatch(stderr(), /trace: /);
    });
    await withRun(['--config', conf('error'), '--summary', '1'], async (dir, stderr) => {
      fs.appendFileSync(path.join(dir, 'auth.log'), sshLines('192.0.2.80', 8));
      await sleep(2500);
      assert.doesNotMatch(stderr(), /ban on Ip|last \d+s:|debug: /);
    });
    await withRun(['--config', conf('error'), '--log-level', 'trace'], async (dir, stderr) => {
      const log = path.join(dir, 'auth.log');
      fs.appendFileSync(log, sshLines('192.0.2.81', 1));
      await waitFor(
        new RegExp(`^picket run: trace: line from file:${log}: .*from 192\\.0\\.2\\.81 port`, 'm'),
        stderr,
        'line',
      );
    });
    fs.writeFileSync(path.join(confDir, 'bad.yaml'), 'data_dir: /tmp/x\nlog_level: loud\n');
    const bad = spawn(process.execPath, [BIN, 'run', '--config', path.join(confDir, 'bad.yaml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => bad.on('close', r));
    assert.notEqual(code, 0);
    assert.match(err, /bad\.yaml:2: log_level: unknown level 'loud'/);
  } finally {
    fs.rmSync(confDir, { recursive: true, force: true });
  }
});
