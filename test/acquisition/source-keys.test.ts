// The acquisition keys CrowdSec applies around every source, taking effect: `transform` (an expression on evt
// rewriting the line into one line, several or none; compile errors name the file, line and document; runtime
// errors keep the line), `use_time_machine` (lines flagged to be poured with their own timestamps), `mode: cat`
// (the files read once from their start, .gz included, then the source ends); and `picket run` given an
// acquisition file and an acquis.d/ folder together, ending by itself once its cat-mode sources were read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseAcquisition } from '../../src/acquisition/config.js';
import { sourceModule } from '../../src/acquisition/sources.js';
import type { LineMeta, SourceContext } from '../../src/acquisition/source.js';
import { compileTransforms, sourceContext } from '../../src/cli/source-keys.js';
import { picket } from '../cli/helpers.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-acq-keys-'));
}

interface Pushed {
  lines: string[];
  meta: LineMeta;
}

function ctx(got: Pushed[]): SourceContext {
  return {
    push: (lines, meta) => {
      got.push({ lines: [...lines], meta });
    },
    log: () => undefined,
    pollMs: 20,
    fromStart: true,
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

test('transform: compile errors name the file, the line and the document', () => {
  const cfgs = parseAcquisition(
    'filenames: [/x]\nlabels: {type: t}\n---\nfilenames: [/y]\nlabels: {type: t}\ntransform: "evt.Line.Raw +"\n',
    'acq.yaml',
  );
  assert.throws(() => compileTransforms(cfgs), /^.*acq\.yaml:6: document 2: transform: .*evt\.Line\.Raw \+/);
});

test('transform rewrites each line (one, several or none); use_time_machine flags the lines', async () => {
  const d = tmp();
  try {
    const log = path.join(d, 'app.log');
    fs.writeFileSync(log, 'one\n# comment\na|b\nboom\n');
    const expr =
      'evt.Line.Raw startsWith "#" ? [] : evt.Line.Raw contains "|" ? Split(evt.Line.Raw, "|") : ' +
      'evt.Line.Raw == "boom" ? string(int(evt.Line.Raw)) : evt.Line.Labels.type + ":" + evt.Line.Raw';
    const cfgs = parseAcquisition(
      `filenames: [${log}]\nlabels: {type: web}\nuse_time_machine: true\ntransform: '${expr.replace(/'/g, "''")}'\n`,
      'acq.yaml',
    );
    const t = compileTransforms(cfgs);
    assert.equal(t.size, 1);
    const got: Pushed[] = [];
    const src = sourceModule('file')!.create(cfgs[0]!, sourceContext(ctx(got), cfgs[0]!, t.get(cfgs[0]!)));
    await src.start();
    src.run();
    const lines = (): string[] => got.flatMap((g) => g.lines);
    await until(() => lines().length >= 4, `lines: ${JSON.stringify(lines())}`);
    await src.stop();
    // "boom" fails at run time (int of a word): kept as it was, as CrowdSec sends it as-is
    assert.deepEqual(lines(), ['web:one', 'a', 'b', 'boom']);
    assert.ok(
      got.every((g) => g.meta.timeMachine === true),
      'use_time_machine: every batch poured as a backlog',
    );
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('mode: cat reads every matching file once from its start (.gz too), then the source ends', async () => {
  const d = tmp();
  try {
    fs.writeFileSync(path.join(d, 'a.log'), 'a1\na2\n');
    fs.writeFileSync(path.join(d, 'b.log.gz'), zlib.gzipSync('b1\nb2\n'));
    fs.writeFileSync(path.join(d, 'c.log.skip'), 'c1\n');
    const [cfg] = parseAcquisition(
      `filenames: ["${d}/*.log*"]\nexclude_regexps: ["\\\\.skip$"]\nmode: cat\nlabels: {type: t}\n`,
      'acq.yaml',
    );
    assert.equal(cfg!.mode, 'cat');
    const got: Pushed[] = [];
    const src = sourceModule('file')!.create(cfg!, { ...ctx(got), fromStart: false });
    assert.equal(src.follows, false);
    assert.ok(src.ended, 'a cat source has an end');
    assert.match(src.describe(), /mode cat/);
    await src.start();
    src.run();
    await src.ended;
    fs.appendFileSync(path.join(d, 'a.log'), 'a3\n');
    await new Promise((r) => setTimeout(r, 100));
    await src.stop();
    assert.deepEqual(
      got.flatMap((g) => g.lines),
      ['a1', 'a2', 'b1', 'b2'],
      'read from the start although fromStart is false; not followed afterwards',
    );
    assert.ok(got.every((g) => g.meta.timeMachine === true));
    assert.deepEqual(
      src.counters().map((c) => [path.basename(c.labels.source!), c.value]),
      [
        ['a.log', 2],
        ['b.log.gz', 2],
      ],
    );
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('picket run: --acquis FILE --acquis DIR together; cat mode + transform give an alert, then the run ends', async () => {
  const d = tmp();
  try {
    const log = path.join(d, 'auth.log');
    // the attack is written with a marker prefix that the transform strips
    const lines = Array.from(
      { length: 8 },
      (_, i) =>
        `X|Dec  7 10:00:0${i} web01 sshd[${100 + i}]: Failed password for invalid user u${i} from 192.0.2.90 port ${4000 + i} ssh2`,
    );
    fs.writeFileSync(log, lines.join('\n') + '\n');
    const main = path.join(d, 'acquis.yaml');
    // every source finite (mode cat) is what ends the run: a tailed file or a journal follower would keep it going
    const other = path.join(d, 'empty.log');
    fs.writeFileSync(other, '');
    fs.writeFileSync(main, `filenames: [${other}]\nmode: cat\nlabels: {type: syslog}\n`);
    const dir = path.join(d, 'acquis.d');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'ssh.yaml'),
      `filenames: [${log}]\nmode: cat\ntransform: 'trimPrefix(evt.Line.Raw, "X|")'\nlabels: {type: syslog}\n`,
    );
    const rest = '--workers 0 -o json --listen 127.0.0.1:0 --metrics off'.split(' ');
    const r = await picket(['run', '--acquis', main, '--acquis', dir, ...rest, '--data', path.join(d, 'data')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /mode cat/);
    assert.match(r.stderr, /stopped \(end of input\): 8 lines, 8 parsed/);
    const alerts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { scenario: string; source: { value: string } });
    assert.ok(
      alerts.some((a) => a.scenario === 'picket/ssh-bf' && a.source.value === '192.0.2.90'),
      r.stdout,
    );
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('name and log_level: the source named in its lines; warn drops its info lines, trace adds each line read', () => {
  const docs =
    'source: file\nfilenames: [/tmp/x.log]\nlabels: {type: syslog}\nname: web-front\nlog_level: warn\n---\n' +
    'source: file\nfilenames: [/tmp/y.log]\nlabels: {type: syslog}\nlog_level: trace\n';
  const [quiet, loud] = parseAcquisition(docs, 'acquis.yaml');
  assert.equal(quiet!.name, 'web-front');
  assert.equal(quiet!.logLevel, 'warn');
  const said: string[] = [];
  const got: Pushed[] = [];
  const base: SourceContext = { ...ctx(got), log: (m) => said.push(m), info: (m) => said.push(`info: ${m}`) };
  const q = sourceContext(base, quiet!);
  q.info!('file /tmp/x.log appeared');
  q.log('cannot read /tmp/x.log: permission denied');
  assert.deepEqual(said, ['[web-front] cannot read /tmp/x.log: permission denied']);
  said.length = 0;
  const l = sourceContext(base, loud!);
  void l.push(['Dec  7 10:00:00 host sshd[1]: hello'], { src: '/tmp/y.log', module: 'file', labels: {} });
  l.info!('file /tmp/y.log appeared');
  assert.deepEqual(said, [
    'line from file:/tmp/y.log: Dec  7 10:00:00 host sshd[1]: hello',
    'info: file /tmp/y.log appeared',
  ]);
  assert.equal(got.length, 1);
  assert.throws(
    () =>
      parseAcquisition('source: file\nfilenames: [/tmp/x.log]\nlabels: {type: syslog}\nlog_level: loud\n', 'a.yaml'),
    /a\.yaml:4: document 1: .*log_level: loud.*unknown level/,
  );
});
