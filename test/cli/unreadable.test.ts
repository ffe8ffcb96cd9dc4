// An acquisition file that exists but cannot be read (Debian's auth.log is 0640 root:adm, read by a non-root
// daemon): `picket run` says so naming the file, the permission and its own identity, counts it in
// picket_acquisition_errors_total{source,reason}, repeats it, and follows the file once it can be read.
// Run as root, the daemon is started as `nobody` (root reads any file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, eventually, tempDir } from './helpers.js';

test('an unreadable log file: a clear error, a metric, then followed once readable', async () => {
  const root = process.getuid?.() === 0;
  const dir = tempDir('picket-unreadable-');
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  fs.chmodSync(log, root ? 0o640 : 0o000);
  fs.writeFileSync(path.join(dir, 'acquis.yaml'), `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  fs.chmodSync(dir, 0o777);
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--acquis',
      path.join(dir, 'acquis.yaml'),
      '--workers',
      '0',
      '--poll',
      '50',
      '--listen',
      '127.0.0.1:0',
      '--metrics',
      '127.0.0.1:0',
      '--data',
      data,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(root ? { uid: 65534, gid: 65534 } : {}) },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  try {
    await eventually(async () => /cannot read/.test(err), 'the error line', 30_000);
    assert.match(
      err,
      new RegExp(
        `ERROR: cannot read ${log.replace(/[.]/g, '\\.')}: permission denied \\(mode 0[0-7]{3}, owner uid \\d+ gid \\d+; picket runs as uid \\d+`,
      ),
    );
    const metricsUrl = await eventually(
      async () => /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(err)?.[1],
      'the metrics URL',
    );
    const text = await eventually(async () => {
      const t = await (await fetch(metricsUrl)).text();
      return /picket_acquisition_errors_total\{source="[^"]+auth\.log",reason="EACCES"\} [1-9]/.test(t) ? t : null;
    }, 'the error counter');
    assert.ok(text);
    fs.chmodSync(log, 0o644);
    await eventually(async () => /can be read now: following it/.test(err), 'the file followed');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
