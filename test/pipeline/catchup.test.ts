// A restart never bans an innocent user (issue 11 §2): lines written while `picket run` was stopped are read as
// a backlog and poured with their own timestamps (as `picket replay` pours them), then the daemon goes on live.
// A benign user who mistyped a password 3 times over 4 minutes (each mistype: a PAM failure and a "Failed
// password" line, then a successful login) gets no ssh-bf alert; an attacker whose 12 failures in 10 s fell in
// the downtime still does. Real `picket run` processes on a temp data folder: run, stop, append, run again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './wait.js';
import { spawnAgent, type AgentChild } from '../agent-child.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/picket.js');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BENIGN = '203.0.113.7';
const ATTACKER = '198.51.100.9';

/** syslog line at ms since the epoch (UTC, BSD timestamp as rsyslog writes it) */
function sys(ms: number, msg: string): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = d.getUTCDate();
  return (
    `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:` +
    `${p(d.getUTCSeconds())} web01 sshd[4242]: ${msg}`
  );
}

/** 10 minutes of auth.log ending now: the benign user's 3 mistypes, the attacker's burst */
function backlog(now: number): string[] {
  const out: string[] = [];
  const t0 = now - 9 * 60_000;
  for (let k = 0; k < 3; k++) {
    const t = t0 + k * 120_000;
    out.push(
      sys(
        t,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${BENIGN}  user=alice`,
      ),
    );
    out.push(sys(t + 2000, `Failed password for alice from ${BENIGN} port ${50000 + k} ssh2`));
    out.push(sys(t + 6000, `Accepted password for alice from ${BENIGN} port ${50100 + k} ssh2`));
  }
  const ta = now - 5 * 60_000;
  for (let k = 0; k < 12; k++)
    out.push(sys(ta + k * 800, `Failed password for root from ${ATTACKER} port ${40000 + k} ssh2`));
  out.sort(
    (a, b) =>
      Date.parse(`${a.slice(0, 15)} ${new Date(now).getUTCFullYear()} UTC`) -
      Date.parse(`${b.slice(0, 15)} ${new Date(now).getUTCFullYear()} UTC`),
  );
  return out;
}

interface AlertLine {
  scenario: string;
  source: { value: string };
}

for (const workers of ['0', '2']) {
  test(`picket run --workers ${workers}: the backlog after a restart is poured with its own timestamps`, async (t) => {
    const now = Date.now();
    if (new Date(now - 10 * 60_000).getUTCFullYear() !== new Date(now).getUTCFullYear()) {
      t.skip('the 10 minutes before now cross a new year: syslog timestamps carry no year');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-catchup-'));
    const log = path.join(dir, 'auth.log');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
    fs.writeFileSync(log, `${sys(now - 20 * 60_000, 'Server listening on 0.0.0.0 port 22.')}\n`);
    const children = new Set<ChildProcess>();
    const runs: AgentChild[] = [];
    const start = (dump: string) => {
      const run = spawnAgent(acquis, path.join(dir, 'data'), workers, ['-o', 'json', '--dump-lines', dump]);
      runs.push(run);
      const c = run.child;
      children.add(c);
      const exited = new Promise<number | null>((r) =>
        c.once('exit', (code) => {
          children.delete(c);
          r(code);
        }),
      );
      return { c, exited };
    };
    const diag = () => runs.map((r, i) => `--- run ${i}:\n${r.err()}\nstdout:\n${r.out()}`).join('\n');
    const readDump = (f: string) => {
      try {
        return fs.readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    try {
      // life 1: reads one live line (so that a read position is saved), stopped with SIGTERM
      const a = start(path.join(dir, 'a.dump'));
      await until('run A: watching', () => /watching/.test(runs[0]!.err()), diag);
      // (a line appended before the tailer opened the file is behind its starting point: append until one is read)
      const live = setInterval(
        () => fs.appendFileSync(log, `${sys(Date.now(), 'Server listening on :: port 22.')}\n`),
        300,
      );
      try {
        await until('run A: a live line', () => /#committed/.test(readDump(path.join(dir, 'a.dump'))), diag);
      } finally {
        clearInterval(live);
      }
      a.c.kill('SIGTERM');
      assert.equal(await a.exited, 0, diag());
      // downtime: sshd writes 10 minutes of auth.log
      const lines = backlog(now);
      fs.appendFileSync(log, `${lines.join('\n')}\n`);
      // life 2: catches up
      const dumpB = path.join(dir, 'b.dump');
      const b = start(dumpB);
      await until('run B: the backlog', () => readDump(dumpB).includes(lines[lines.length - 1]!), diag);
      await until("run B: the attacker's alert", () => runs[1]!.out().includes(ATTACKER), diag);
      b.c.kill('SIGTERM');
      assert.equal(await b.exited, 0, diag());
      const alerts = runs[1]!
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AlertLine);
      const got = alerts.map((x) => `${x.scenario} ${x.source.value}`).sort();
      assert.ok(got.includes(`picket/ssh-bf ${ATTACKER}`), got.join('\n'));
      assert.ok(!got.some((g) => g.endsWith(BENIGN)), `the benign user is not flagged: ${got.join(', ')}`);
      // exactly what `picket replay` gives on those lines
      const bl = path.join(dir, 'backlog.log');
      fs.writeFileSync(bl, `${lines.join('\n')}\n`);
      const r = spawnSync(
        process.execPath,
        [BIN, 'replay', '--file', bl, '--type', 'syslog', '--workers', '0', '--json'],
        { encoding: 'utf8' },
      );
      const replayed = (JSON.parse(r.stdout) as { alerts: AlertLine[] }).alerts.map(
        (x) => `${x.scenario} ${x.source.value}`,
      );
      assert.deepEqual(got, replayed.sort());
    } finally {
      for (const ch of children) ch.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
