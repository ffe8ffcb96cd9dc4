// `picket run --help` promises that after a crash or SIGKILL at most about one second of input is read again
// (issue 11 §2): read positions are checkpointed soon after start and at a bounded interval, also while lines
// keep arriving. A writer appends 50 lines every 100 ms (500 lines/s nominal: "one second of input" is 10
// batches) from before the daemon starts (a backlog, as after a restart); the daemon is killed with SIGKILL once
// it read the backlog and 8 more batches, whether or not it wrote a checkpoint; the restarted daemon must not
// re-read more than 12 batches. Counts and positions only, no timing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from './wait.js';
import { spawnAgent, type AgentChild } from '../agent-child.js';

const BATCH = 50;

function line(i: number): string {
  return `C${String(i).padStart(7, '0')} web01 picket checkpoint test filler`;
}

function dumped(file: string): { lines: number[]; commits: number } {
  const d = { lines: [] as number[], commits: 0 };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return d;
  }
  for (const l of text.split('\n')) {
    if (l.startsWith('#committed ')) d.commits++;
    else if (l.startsWith('C')) d.lines.push(Number(l.slice(1, 8)));
  }
  return d;
}

for (const workers of ['0', '2']) {
  test(`picket run --workers ${workers}: SIGKILL under steady input re-reads at most ~1 s of it`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-ckpt-'));
    const log = path.join(dir, 'auth.log');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
    fs.writeFileSync(log, '');
    const children = new Set<ChildProcess>();
    let written = 0;
    const writer = setInterval(() => {
      let s = '';
      for (let k = 0; k < BATCH; k++) s += `${line(written++)}\n`;
      fs.appendFileSync(log, s);
    }, 100);
    const runs: AgentChild[] = [];
    const start = (dump: string) => {
      const run = spawnAgent(acquis, path.join(dir, 'data'), workers, ['--from-start', '--dump-lines', dump]);
      runs.push(run);
      const c = run.child;
      children.add(c);
      const exited = new Promise<void>((r) =>
        c.once('exit', () => {
          children.delete(c);
          r();
        }),
      );
      return { c, exited };
    };
    const diag = () => `written ${written}\n${runs.map((r, i) => `--- run ${i}:\n${r.err()}`).join('\n')}`;
    try {
      const dumpA = path.join(dir, 'a.dump');
      const a = start(dumpA);
      await until('run A: watching', () => /watching/.test(runs[0]!.err()), diag);
      const backlog = written;
      await until('run A: the backlog and 8 batches', () => dumped(dumpA).lines.length >= backlog + 8 * BATCH, diag);
      a.c.kill('SIGKILL');
      await a.exited;
      const A = dumped(dumpA);
      const dumpB = path.join(dir, 'b.dump');
      const b = start(dumpB);
      await until("run B: past A's last line", () => dumped(dumpB).lines.length > A.lines.length + BATCH, diag);
      b.c.kill('SIGTERM');
      await b.exited;
      const B = dumped(dumpB);
      const reread = A.lines.length - B.lines[0]!;
      t.diagnostic(
        `A read ${A.lines.length} lines (backlog ${backlog}), wrote ${A.commits} checkpoints; B re-read ${reread}`,
      );
      assert.ok(B.lines[0]! <= A.lines.length, 'no line skipped');
      assert.ok(A.commits > 0, `A wrote a checkpoint while reading ${A.lines.length} lines\n${diag()}`);
      assert.ok(reread <= 12 * BATCH, `re-read ${reread} lines: more than ~1 s of input (${12 * BATCH})\n${diag()}`);
    } finally {
      clearInterval(writer);
      for (const ch of children) ch.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
