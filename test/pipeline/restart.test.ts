// `picket run` restarts: read positions in the LMDB store of --data make a restarted agent resume where the
// previous one stopped. SIGKILL mid-file: no line skipped, re-read lines only those after the last written
// checkpoint. SIGTERM mid-file: every line exactly once. Lines are appended all along (a writer in this
// process); every wait is bounded; all children are killed at the end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAgent, type AgentChild } from '../agent-child.js';

const WAIT_MS = 30000;

/** fixed-length lines: byte offset / LINE_LEN = line index */
function line(i: number): string {
  return `L${String(i).padStart(7, '0')} web01 picket restart test filler`;
}
const LINE_LEN = line(0).length + 1;

interface Dump {
  lines: number[];
  committed: number[];
}
function readDump(file: string): Dump {
  const d: Dump = { lines: [], committed: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return d;
  }
  for (const l of text.split('\n')) {
    if (l.startsWith('#committed ')) d.committed.push(Number(l.split(' ')[1]));
    else if (l.startsWith('L')) d.lines.push(Number(l.slice(1, 8)));
  }
  return d;
}

async function waitFor(what: string, pred: () => boolean, diag: () => string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function assertContiguous(xs: number[], from: number, what: string): void {
  for (let k = 0; k < xs.length; k++)
    if (xs[k] !== from + k) assert.fail(`${what}: expected line ${from + k} at #${k}, got ${xs[k]}`);
}

/** run B (after A's SIGKILL): resumed from A's last checkpoint at the earliest, never after A's last line, and
 * ended by SIGTERM with a checkpoint at its last line; the lines it re-read and its last line */
function checkResumed(A: Dump, B: Dump, lastCommitA: number): { dup: number; lastB: number } {
  const b0 = B.lines[0]!;
  assert.ok(b0 <= A.lines.length, `no line skipped: B starts at ${b0}, A processed 0..${A.lines.length - 1}`);
  assert.ok(
    b0 >= lastCommitA / LINE_LEN,
    `B starts at ${b0}, before A's last checkpoint (line ${lastCommitA / LINE_LEN})`,
  );
  const dup = A.lines.length - b0;
  assert.ok(dup <= A.lines.length - lastCommitA / LINE_LEN, 're-read lines are only those after the last checkpoint');
  assertContiguous(B.lines, b0, 'run B');
  // SIGTERM wrote a final checkpoint at B's last line
  const lastB = B.lines[B.lines.length - 1]!;
  assert.equal(
    B.committed[B.committed.length - 1],
    (lastB + 1) * LINE_LEN,
    'final checkpoint covers every line B processed',
  );
  return { dup, lastB };
}

/** every line of 0..total-1 read once, and `twiceWanted` of them twice (the SIGKILL re-read) */
function assertReadOnce(all: number[], total: number, twiceWanted: number): void {
  const seen = new Uint32Array(total);
  for (const x of all) seen[x]!++;
  for (let i = 0; i < total; i++) assert.ok(seen[i]! >= 1 && seen[i]! <= 2, `line ${i} processed ${seen[i]} times`);
  const twice = seen.reduce((n, v) => n + (v === 2 ? 1 : 0), 0);
  assert.equal(twice, twiceWanted);
}

for (const workers of ['0', '2']) {
  test(`picket run --workers ${workers}: restart after SIGKILL re-reads at most the uncommitted lines, after SIGTERM exactly once`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-restart-'));
    const log = path.join(dir, 'app.log');
    const acquis = path.join(dir, 'acquis.yaml');
    const data = path.join(dir, 'data');
    fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
    fs.writeFileSync(log, '');
    const children = new Set<ChildProcess>();
    let written = 0;
    let writing = true;
    // the writer: 20 lines every 10 ms, until run C has started and read some
    const writer = setInterval(() => {
      if (!writing) return;
      let s = '';
      for (let k = 0; k < 20; k++) s += line(written++) + '\n';
      fs.appendFileSync(log, s);
    }, 10);
    const runs: AgentChild[] = [];
    const start = (dump: string) => {
      const run = spawnAgent(acquis, data, workers, [
        '-o',
        'json',
        '--from-start',
        '--poll',
        '20',
        '--dump-lines',
        dump,
      ]);
      runs.push(run);
      const c = run.child;
      children.add(c);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
        c.once('exit', (code, signal) => {
          children.delete(c);
          r({ code, signal });
        }),
      );
      return { c, exited };
    };
    const diag = () => `written ${written}\n${runs.map((r, i) => `--- run ${i} stderr:\n${r.err()}`).join('\n')}`;
    try {
      // run A: killed with SIGKILL while the file grows, after at least one checkpoint was written
      const dumpA = path.join(dir, 'a.dump');
      const a = start(dumpA);
      await waitFor(
        'run A: a checkpoint and 500 lines',
        () => {
          const d = readDump(dumpA);
          return d.committed.length > 0 && d.lines.length >= 500;
        },
        diag,
      );
      a.c.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      const A = readDump(dumpA);
      assertContiguous(A.lines, 0, 'run A');
      const lastCommitA = A.committed[A.committed.length - 1]!;
      assert.equal(lastCommitA % LINE_LEN, 0, 'a checkpoint is on a line boundary');

      // run B: resumes from A's last written checkpoint at the earliest, never after A's last line
      const dumpB = path.join(dir, 'b.dump');
      const b = start(dumpB);
      await waitFor('run B: 500 more lines', () => readDump(dumpB).lines.length >= 500, diag);
      b.c.kill('SIGTERM');
      const eb = await b.exited;
      assert.equal(eb.code, 0, `B exit ${eb.code} ${eb.signal}\n${diag()}`);
      const B = readDump(dumpB);
      const { dup, lastB } = checkResumed(A, B, lastCommitA);

      // run C: after SIGTERM, resumes exactly after B's last line; reads until the writer is done
      const dumpC = path.join(dir, 'c.dump');
      const c = start(dumpC);
      await waitFor('run C: 300 lines', () => readDump(dumpC).lines.length >= 300, diag);
      writing = false;
      const TOTAL = written;
      await waitFor(
        'run C: every line',
        () => {
          const l = readDump(dumpC).lines;
          return l.length > 0 && l[l.length - 1] === TOTAL - 1;
        },
        diag,
      );
      c.c.kill('SIGTERM');
      const ec = await c.exited;
      assert.equal(ec.code, 0, `C exit ${ec.code} ${ec.signal}\n${diag()}`);
      const C = readDump(dumpC);
      assert.equal(C.lines[0], lastB + 1, 'after SIGTERM: no line re-read, none skipped');
      assertContiguous(C.lines, lastB + 1, 'run C');
      assert.equal(C.lines.length, TOTAL - lastB - 1);

      // overall: each line at least once; duplicates only the SIGKILL re-read
      assertReadOnce([...A.lines, ...B.lines, ...C.lines], TOTAL, dup);
      t.diagnostic(
        `lines: A ${A.lines.length} (last checkpoint at line ${lastCommitA / LINE_LEN}), B ${B.lines.length} (re-read ${dup}), C ${C.lines.length}`,
      );
      assert.match(runs[0]!.err(), new RegExp(`data folder ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally {
      clearInterval(writer);
      for (const ch of children) ch.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('picket run: an unusable --data folder is an error naming it, before anything is read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-restart-'));
  try {
    const notDir = path.join(dir, 'not-a-dir');
    fs.writeFileSync(notDir, 'x');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${path.join(dir, 'app.log')}\nlabels:\n  type: syslog\n`);
    const run = spawnAgent(acquis, notDir, '0');
    const c = run.child;
    const timer = setTimeout(() => c.kill('SIGKILL'), WAIT_MS);
    const code = await new Promise<number | null>((r) => c.once('exit', (x) => r(x)));
    clearTimeout(timer);
    assert.equal(code, 1, run.err());
    assert.match(run.err(), /data folder .*not-a-dir: not a directory/);
    assert.doesNotMatch(run.err(), /watching/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
