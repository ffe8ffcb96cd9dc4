import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from '../agent-child.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/picket.js');

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Spawns `picket run`, waits (bounded) for a predicate on stdout/stderr, then stops it with SIGTERM. */
async function runUntil(args: string[], onReady: () => void, done: (out: string) => boolean, ms = 20000) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-run-data-'));
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--listen', '127.0.0.1:0', '--metrics', 'off', '--data', data, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '',
    err = '',
    ready = false;
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout\nstdout:${out}\nstderr:${err}`));
    }, ms);
    const check = () => {
      if (!ready && /watching/.test(err)) {
        ready = true;
        setTimeout(onReady, 300);
      }
      if (ready && done(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      check();
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (!done(out)) reject(new Error(`exited\nstdout:${out}\nstderr:${err}`));
    });
  });
  try {
    await finished;
  } finally {
    const exited = new Promise<number | null>((r) => {
      if (child.exitCode !== null) r(child.exitCode);
      else child.once('exit', (c) => r(c));
    });
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `exit code ${code}\nstderr:${err}`);
  }
  return { out, err };
}

for (const workers of ['0', '2']) {
  test(`picket run (--workers ${workers}): appended attack lines give an alert on stdout`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-run-'));
    const log = path.join(dir, 'auth.log');
    const later = path.join(dir, 'later.log'); // does not exist at start: waited for
    fs.writeFileSync(
      log,
      `${syslogTime(new Date())} web01 sshd[1]: Failed password for root from 198.51.100.99 port 1 ssh2\n`,
    );
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${log}\n  - ${later}\nlabels:\n  type: syslog\n`);
    const { out, err } = await runUntil(
      ['--acquis', acquis, '--workers', workers, '--poll', '50'],
      () => {
        const now = syslogTime(new Date());
        let s = '';
        for (let i = 0; i < 8; i++)
          s += `${now} web01 sshd[${100 + i}]: Failed password for invalid user admin${i} from 192.0.2.77 port ${40000 + i} ssh2\n`;
        fs.appendFileSync(log, s);
      },
      (o) => /picket\/ssh-bf Ip:192\.0\.2\.77/.test(o),
    );
    assert.match(err, new RegExp(`watching .*auth\\.log`));
    assert.match(err, /later\.log \(type syslog, waiting for it to appear\)/);
    const line = out.split('\n').find((l) => l.includes('picket/ssh-bf'))!;
    assert.match(line, /^\d{4}-\d\d-\d\dT\S+ picket\/ssh-bf Ip:192\.0\.2\.77 \d+ events$/);
    // the line present before start is not read (tail from the end, like CrowdSec)
    assert.doesNotMatch(out, /198\.51\.100\.99/);
  });
}

test('picket run --stdin --type syslog -o json: alerts as JSON lines, exits at end of input', async () => {
  const now = syslogTime(new Date());
  let s = '';
  for (let i = 0; i < 8; i++)
    s += `${now} web01 sshd[${100 + i}]: Failed password for root from 192.0.2.88 port ${40000 + i} ssh2\n`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-run-'));
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, 'source: stdin\nlabels:\n  type: syslog\n');
  const r = spawnAgent(acquis, path.join(dir, 'data'), '0', ['-o', 'json'], 'pipe');
  const child = r.child;
  child.stdin!.end(s);
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, 20000);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  assert.equal(code, 0, r.err());
  const alerts = r
    .out()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { scenario: string; source: { value: string } });
  assert.ok(
    alerts.some((a) => a.scenario === 'picket/ssh-bf' && a.source.value === '192.0.2.88'),
    r.out(),
  );
});
