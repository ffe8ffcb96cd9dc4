import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readStdinLines } from '../../src/acquisition/stdin/read.js';
import { readLogLines } from '../../src/pipeline/read.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

test('stdin lines: CRLF, empty lines, a UTF-8 character split across chunks, last line without newline', async () => {
  const bytes = Buffer.from('a\r\n\nhé llo\nlast', 'utf8');
  const cut = bytes.indexOf(0xc3) + 1; // inside "é"
  const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
  const got: string[] = [];
  const n = await readStdinLines((l) => {
    got.push(...l);
  }, Readable.from(chunks));
  assert.deepEqual(got, ['a', 'hé llo', 'last']);
  assert.equal(n, 3);
});

test('log file reader: plain and gzip give the same lines; gzip detected by magic too', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-read-'));
  const text = Array.from({ length: 50000 }, (_, i) => `line ${i} é`).join('\r\n') + '\n\npartial';
  fs.writeFileSync(path.join(dir, 'a.log'), text);
  fs.writeFileSync(path.join(dir, 'a.log.gz'), gzipSync(text));
  fs.writeFileSync(path.join(dir, 'b.log'), gzipSync(text)); // gzip without .gz
  const read = async (f: string) => {
    const out: string[] = [];
    await readLogLines(path.join(dir, f), (l) => {
      out.push(...l);
    });
    return out;
  };
  const a = await read('a.log');
  assert.equal(a.length, 50001);
  assert.equal(a[0], 'line 0 é');
  assert.equal(a[50000], 'partial');
  assert.deepEqual(await read('a.log.gz'), a);
  assert.deepEqual(await read('b.log'), a);
  await assert.rejects(read('missing.log'), /missing\.log: no such file/);
  fs.writeFileSync(path.join(dir, 'bad.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  await assert.rejects(read('bad.gz'), /bad\.gz: gzip read error/);
});

test('log file reader: a line longer than the read buffer, CRLF and multi-byte characters on buffer edges', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-read-'));
  const long = 'x'.repeat(700_000) + 'é';
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(`${'ü'.repeat(i % 97)} line ${i}`);
  lines.splice(1500, 0, long);
  const text = lines.join('\r\n') + '\r\n';
  const file = path.join(dir, 'long.log');
  fs.writeFileSync(file, text);
  const got: string[] = [];
  let batches = 0;
  const n = await readLogLines(file, async (l) => {
    batches++;
    got.push(...l);
    await new Promise((r) => setImmediate(r));
  });
  assert.equal(n, lines.length);
  assert.ok(batches > 1);
  assert.deepEqual(got, lines);
});
