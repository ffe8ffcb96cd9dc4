// The acquisition registry: every module registered once, in order; a source runs and reports its counters
// through the DataSource interface alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sourceModule, sourceNames } from '../../src/acquisition/sources.js';
import { parseAcquisition } from '../../src/acquisition/config.js';
import type { LineMeta } from '../../src/acquisition/source.js';

test('registry: file, syslog, journalctl, stdin, each with the common keys', () => {
  assert.deepEqual(sourceNames(), ['file', 'syslog', 'journalctl', 'stdin']);
  for (const n of sourceNames()) {
    for (const k of ['source', 'labels', 'mode', 'name']) assert.ok(sourceModule(n)!.keys.has(k), `${n} ${k}`);
  }
  assert.throws(
    () => parseAcquisition('source: kafka\nlabels: {type: x}\n', 'a.yaml'),
    /a\.yaml:1: document 1: unknown source "kafka" \(known: file, syslog, journalctl, stdin\)/,
  );
});

test('file source through the interface: lines pushed with their meta, hits counted per file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-acq-'));
  const log = path.join(dir, 'a.log');
  fs.writeFileSync(log, 'one\ntwo\n');
  const [cfg] = parseAcquisition(`filenames: [${log}]\nlabels: {type: syslog}\n`, 'acq.yaml');
  const got: Array<[string[], LineMeta]> = [];
  let resolve!: () => void;
  const seen = new Promise<void>((r) => {
    resolve = r;
  });
  const src = sourceModule('file')!.create(cfg!, {
    push: (lines, meta) => {
      got.push([lines, meta]);
      resolve();
    },
    log: () => undefined,
    pollMs: 20,
    fromStart: true,
  });
  await src.start();
  assert.match(src.describe(), /a\.log \(type syslog\)/);
  src.run();
  await seen;
  await src.stop();
  // read from the start: what the file held at open is a backlog, poured with the lines' own timestamps
  assert.deepEqual(got[0], [
    ['one', 'two'],
    { src: log, module: 'file', labels: { type: 'syslog' }, timeMachine: true },
  ]);
  assert.deepEqual(src.counters(), [
    {
      name: 'cs_filesource_hits_total',
      value: 2,
      labels: { source: log, datasource_type: 'file', acquis_type: 'syslog' },
    },
  ]);
  fs.rmSync(dir, { recursive: true, force: true });
});
