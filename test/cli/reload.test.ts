// SIGHUP reloads content, acquisition and profiles of a running `picket run` (issue 11 §3): a new scenario and
// a new acquisition file are picked up, lines already read are not read again (positions kept), a stderr line
// says what was reloaded; an invalid acquisition or scenario file keeps the running configuration, said on
// stderr, and the daemon goes on reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, ROOT, startPicket, tempDir } from './helpers.js';

const line = (n: number, ip: string) =>
  `Dec  7 18:00:${String(n % 60).padStart(2, '0')} host sshd[1]: Failed password for root from ${ip} port 22 ssh2`;

test('SIGHUP reloads content and acquisition, keeps read positions; an invalid file keeps the running config', async () => {
  const dir = tempDir('picket-reload-');
  const content = path.join(dir, 'content');
  fs.cpSync(path.join(ROOT, 'parsers'), path.join(content, 'parsers'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'scenarios'), path.join(content, 'scenarios'), { recursive: true });
  const scenarios = fs.readdirSync(path.join(content, 'scenarios', 'picket')).length;
  const f1 = path.join(dir, 'one.log');
  const f2 = path.join(dir, 'two.log');
  fs.writeFileSync(f1, '');
  fs.writeFileSync(f2, '');
  const acquis = path.join(dir, 'acquis.yaml');
  const doc = (f: string) => `source: file\nfilenames:\n  - ${f}\nlabels:\n  type: syslog\n`;
  fs.writeFileSync(acquis, doc(f1));
  const dump = path.join(dir, 'dump.txt');
  const p = await startPicket(
    // --from-start: no race with the tailer's first open, and a position lost by the reload would re-read one.log
    [
      '--content',
      content,
      '--acquis',
      acquis,
      '--workers',
      '0',
      '--metrics',
      'off',
      '--dump-lines',
      dump,
      '--from-start',
    ],
    dir,
  );
  const dumped = () =>
    fs.existsSync(dump)
      ? fs
          .readFileSync(dump, 'utf8')
          .split('\n')
          .filter((l) => /sshd/.test(l))
      : [];
  const hups = () =>
    p
      .stderr()
      .split('\n')
      .filter((l) => l.includes('SIGHUP'));
  try {
    await eventually(async () => /watching .*one\.log/.test(p.stderr()), 'watching one.log');
    fs.appendFileSync(f1, [1, 2, 3].map((n) => line(n, '192.0.2.1')).join('\n') + '\n');
    await eventually(async () => dumped().length === 3, 'three lines read');

    // a new scenario and a second file
    const ssh = fs.readFileSync(path.join(content, 'scenarios', 'picket', 'ssh-bf.yaml'), 'utf8');
    fs.writeFileSync(
      path.join(content, 'scenarios', 'picket', 'ssh-bf-copy.yaml'),
      ssh.replace(/^name: .*$/m, 'name: test/ssh-bf-copy'),
    );
    fs.writeFileSync(acquis, `${doc(f1)}---\n${doc(f2)}`);
    p.child.kill('SIGHUP');
    await eventually(async () => hups().some((l) => /reloaded content/.test(l)), 'the reload line');
    const reloaded = hups().find((l) => /reloaded content/.test(l))!;
    assert.match(reloaded, new RegExp(`\\(${scenarios + 1} scenarios\\)`));
    assert.match(reloaded, /acquisition \(watching .*one\.log.*two\.log/);
    assert.match(reloaded, /profiles from .*\(\d+ profile\(s\)\); read positions kept/);
    fs.appendFileSync(f1, line(4, '192.0.2.1') + '\n');
    fs.appendFileSync(f2, line(5, '192.0.2.2') + '\n');
    await eventually(async () => dumped().length === 5, 'the new lines of both files, the old ones not again');
    assert.deepEqual(
      dumped().map((l) => l.slice(0, 15)),
      [1, 2, 3, 4, 5].map((n) => line(n, '').slice(0, 15)),
    );

    // an invalid acquisition file: nothing reloaded, the daemon reads on
    fs.writeFileSync(acquis, 'source: file\nfilenames: [unclosed\n');
    p.child.kill('SIGHUP');
    await eventually(async () => hups().some((l) => /ERROR: .*acquis\.yaml.*nothing reloaded/.test(l)), 'acquis error');
    fs.appendFileSync(f2, line(6, '192.0.2.2') + '\n');
    await eventually(async () => dumped().length === 6, 'reading goes on');

    // an invalid scenario: the same
    fs.writeFileSync(acquis, doc(f1));
    fs.writeFileSync(path.join(content, 'scenarios', 'picket', 'ssh-bf-copy.yaml'), 'name: [broken\n');
    p.child.kill('SIGHUP');
    await eventually(
      async () => hups().some((l) => /ERROR: .*ssh-bf-copy\.yaml.*nothing reloaded/.test(l)),
      'scenario error',
    );
    fs.appendFileSync(f2, line(7, '192.0.2.2') + '\n');
    await eventually(async () => dumped().length === 7, 'two.log still read (the running acquisition stayed)');
    assert.equal(p.child.exitCode, null, 'still running');
  } finally {
    const code = await p.stop();
    assert.equal(code, 0, p.stderr());
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
