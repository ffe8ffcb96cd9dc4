import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileTailer, type FilePosition } from '../../src/acquisition/file/tail.js';
import { expandGlob, segmentToRegExp } from '../../src/acquisition/file/glob.js';
import { parseAcquisition, AcquisitionConfigError, DEFAULT_ACQUISITION } from '../../src/acquisition/config.js';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-tail-'));
}

function collector() {
  const got: string[] = [];
  return {
    got,
    onLines: (_src: string, lines: string[]) => {
      got.push(...lines);
    },
  };
}

test('reads existing file from start when fromStart, keeps partial last line until completed', async () => {
  const d = tmpdir();
  const f = path.join(d, 'a.log');
  fs.writeFileSync(f, 'one\ntwo\r\n\nthr');
  const c = collector();
  const t = new FileTailer({ patterns: [f], onLines: c.onLines, fromStart: true });
  await t.pollOnce();
  assert.deepEqual(c.got, ['one', 'two']);
  fs.appendFileSync(f, 'ee\nfour\n');
  await t.pollOnce();
  assert.deepEqual(c.got, ['one', 'two', 'three', 'four']);
  t.stop();
});

test('files present at start are tailed from their end by default; files appearing later from 0', async () => {
  const d = tmpdir();
  const a = path.join(d, 'a.log');
  fs.writeFileSync(a, 'old\n');
  const c = collector();
  const t = new FileTailer({ patterns: [path.join(d, '*.log')], onLines: c.onLines });
  await t.pollOnce();
  assert.deepEqual(c.got, []);
  fs.appendFileSync(a, 'new\n');
  fs.writeFileSync(path.join(d, 'b.log'), 'born\n');
  await t.pollOnce();
  assert.deepEqual(c.got.sort(), ['born', 'new']);
  t.stop();
});

test('rotation by rename drains the old file then reads the new one from 0', async () => {
  const d = tmpdir();
  const f = path.join(d, 'r.log');
  fs.writeFileSync(f, 'a\n');
  const c = collector();
  const t = new FileTailer({ patterns: [f], onLines: c.onLines, fromStart: true });
  await t.pollOnce();
  fs.appendFileSync(f, 'b\n');
  fs.renameSync(f, f + '.1');
  fs.writeFileSync(f, 'c\n');
  await t.pollOnce();
  assert.deepEqual(c.got, ['a', 'b', 'c']);
  assert.equal(t.stats.rotations, 1);
  t.stop();
});

test('truncation restarts at 0', async () => {
  const d = tmpdir();
  const f = path.join(d, 't.log');
  fs.writeFileSync(f, 'aaaa\nbbbb\n');
  const c = collector();
  const t = new FileTailer({ patterns: [f], onLines: c.onLines, fromStart: true });
  await t.pollOnce();
  fs.writeFileSync(f, 'z\n');
  await t.pollOnce();
  assert.deepEqual(c.got, ['aaaa', 'bbbb', 'z']);
  assert.equal(t.stats.truncations, 1);
  t.stop();
});

test('deleted and re-created file is followed again', async () => {
  const d = tmpdir();
  const f = path.join(d, 'x.log');
  fs.writeFileSync(f, '1\n');
  const c = collector();
  const t = new FileTailer({ patterns: [f], onLines: c.onLines, fromStart: true });
  await t.pollOnce();
  fs.unlinkSync(f);
  await t.pollOnce();
  fs.writeFileSync(f, '2\n');
  await t.pollOnce();
  assert.deepEqual(c.got, ['1', '2']);
  t.stop();
});

test('saved positions resume without loss or duplication', async () => {
  const d = tmpdir();
  const f = path.join(d, 'p.log');
  fs.writeFileSync(f, 'l1\nl2\n');
  const store = new Map<string, FilePosition>();
  const positions = {
    get: (p: string) => store.get(p),
    set: (p: string, v: FilePosition) => {
      store.set(p, v);
    },
  };
  const c1 = collector();
  const t1 = new FileTailer({ patterns: [f], onLines: c1.onLines, fromStart: true, positions });
  await t1.pollOnce();
  t1.stop();
  fs.appendFileSync(f, 'l3\npart');
  const c2 = collector();
  const t2 = new FileTailer({ patterns: [f], onLines: c2.onLines, positions });
  await t2.pollOnce();
  assert.deepEqual(c1.got, ['l1', 'l2']);
  assert.deepEqual(c2.got, ['l3']);
  t2.stop();
  fs.appendFileSync(f, 'ial\n');
  const c3 = collector();
  const t3 = new FileTailer({ patterns: [f], onLines: c3.onLines, positions });
  await t3.pollOnce();
  assert.deepEqual(c3.got, ['partial']);
  t3.stop();
});

test('over-long line is cut and counted, invalid UTF-8 does not throw', async () => {
  const d = tmpdir();
  const f = path.join(d, 'big.log');
  fs.writeFileSync(
    f,
    Buffer.concat([Buffer.alloc(3000, 0x61), Buffer.from('\n'), Buffer.from([0xff, 0xfe, 0x41, 0x0a])]),
  );
  const c = collector();
  const t = new FileTailer({ patterns: [f], onLines: c.onLines, fromStart: true, maxLineBytes: 1000, chunkBytes: 512 });
  await t.pollOnce();
  assert.equal(c.got.length, 2);
  assert.equal(c.got[0]!.length, 1000);
  assert.ok(t.stats.truncatedLines >= 1);
  assert.equal(c.got[1], '\ufffd\ufffdA');
  t.stop();
});

test('glob expansion', () => {
  const d = tmpdir();
  fs.mkdirSync(path.join(d, 'sub', 'deep'), { recursive: true });
  for (const p of ['a.log', 'b.txt', 'sub/c.log', 'sub/deep/d.log']) fs.writeFileSync(path.join(d, p), '');
  assert.deepEqual(expandGlob(path.join(d, '*.log')), [path.join(d, 'a.log')]);
  assert.deepEqual(expandGlob(path.join(d, '**', '*.log')), [
    path.join(d, 'a.log'),
    path.join(d, 'sub/c.log'),
    path.join(d, 'sub/deep/d.log'),
  ]);
  assert.ok(segmentToRegExp('[ab]?.log').test('a1.log'));
  assert.ok(!segmentToRegExp('[!ab]?.log').test('a1.log'));
});

test('acquis.yaml: several documents, defaults and clear errors', () => {
  const srcs = parseAcquisition(
    'filenames: [/var/log/a.log]\nlabels: {type: syslog}\n---\nsource: syslog\nlisten_port: 5514\nlabels:\n  type: syslog\n',
    'acquis.yaml',
  );
  assert.equal(srcs.length, 2);
  assert.deepEqual(srcs[0], { source: 'file', filenames: ['/var/log/a.log'], labels: { type: 'syslog' } });
  assert.equal(srcs[1]!.source, 'syslog');
  assert.throws(
    () => parseAcquisition('filenames: [/x]\nlabels: {type: t}\nbogus: 1\n', 'acq.yaml'),
    (e: unknown) =>
      e instanceof AcquisitionConfigError && /acq\.yaml:3: document 1: unknown field "bogus"/.test(e.message),
  );
  assert.throws(() => parseAcquisition('filenames: [/x]\n', 'acq.yaml'), /labels/);
  assert.throws(() => parseAcquisition('filenames: [/x\n', 'acq.yaml'), /acq\.yaml:\d+: document 1/);
  assert.equal(parseAcquisition(DEFAULT_ACQUISITION, 'default').length, 3);
});

test('a large backlog read by a synchronous consumer gives the event loop turns, the position advancing by slices', async () => {
  const d = tmpdir();
  const f = path.join(d, 'big.log');
  const N = 100_000;
  const lines: string[] = [];
  for (let i = 0; i < N; i++) lines.push(`line ${String(i).padStart(8, '0')}`);
  fs.writeFileSync(f, `${lines.join('\n')}\n`); // 2 MiB: two read chunks of ~50,000 lines
  const positions = new Map<string, FilePosition>();
  const seen: number[] = [];
  let got = 0;
  const t = new FileTailer({
    patterns: [f],
    fromStart: true,
    positions,
    onLines: (_src, ls) => {
      // ~20 µs of synchronous work per line, as an in-process pipeline does; the position written before this
      // slice points at its first line
      const p = positions.get(f)?.pos ?? 0;
      seen.push(p);
      assert.equal(
        fs
          .readFileSync(f)
          .subarray(p, p + ls[0]!.length)
          .toString(),
        ls[0],
      );
      const until = performance.now() + ls.length * 0.02;
      while (performance.now() < until);
      got += ls.length;
    },
  });
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 2);
  try {
    await t.pollOnce();
  } finally {
    clearInterval(tick);
    t.stop();
  }
  assert.equal(got, N);
  assert.equal(positions.get(f)?.pos, fs.statSync(f).size);
  assert.ok(seen.length >= N / 1024, `${seen.length} slices`);
  // 2 s of work in all: without turns the timer waited ~1 s per chunk
  assert.ok(maxGap < 300, `longest turn ${maxGap.toFixed(0)} ms`);
});
