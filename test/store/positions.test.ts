import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, STORE_FILE, StoreError } from '../../src/store/lmdb.js';
import { LmdbPositionStore } from '../../src/store/positions.js';
import { FileTailer } from '../../src/acquisition/file/tail.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-store-'));
}

test('positions: set is buffered, checkpoint writes, a reopened store has the values', async () => {
  const dir = tmp();
  try {
    const s1 = openStore(path.join(dir, 'data'));
    const p1 = new LmdbPositionStore(s1);
    assert.equal(p1.get('/var/log/a.log'), undefined);
    p1.set('/var/log/a.log', { ino: 11, pos: 100 });
    p1.set('/var/log/b.log', { ino: 12, pos: 5 });
    assert.deepEqual(p1.get('/var/log/a.log'), { ino: 11, pos: 100 }, 'get sees an unwritten set');
    assert.equal(s1.db('positions').get('/var/log/a.log'), undefined, 'set alone writes nothing');
    const snap = await p1.checkpoint();
    assert.equal(snap.size, 2);
    assert.deepEqual(s1.db('positions').get('/var/log/a.log'), { ino: 11, pos: 100 });
    p1.set('/var/log/a.log', { ino: 11, pos: 250 });
    await p1.checkpoint();
    await s1.close();

    const s2 = openStore(path.join(dir, 'data'));
    const p2 = new LmdbPositionStore(s2);
    assert.deepEqual(p2.get('/var/log/a.log'), { ino: 11, pos: 250 });
    assert.deepEqual(p2.get('/var/log/b.log'), { ino: 12, pos: 5 });
    assert.ok(fs.existsSync(path.join(dir, 'data', STORE_FILE)));
    await s2.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('positions: concurrent sets and checkpoints keep the newest value; nothing is written before settled()', async () => {
  const dir = tmp();
  try {
    const s = openStore(dir);
    const p = new LmdbPositionStore(s);
    const db = s.db('positions');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    p.set('f', { ino: 1, pos: 10 });
    const first = p.checkpoint(() => gate); // slow: waits for the "pipeline"
    const all: Promise<unknown>[] = [first];
    for (let i = 1; i <= 200; i++) {
      p.set('f', { ino: 1, pos: 10 + i });
      p.set(`g${i % 7}`, { ino: 2, pos: i });
      if (i % 25 === 0) all.push(p.checkpoint());
    }
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(db.get('f'), undefined, 'the first checkpoint waits for settled() before writing');
    assert.equal(p.commits, 0, 'later checkpoints wait for the earlier one');
    release();
    await Promise.all(all);
    assert.deepEqual(db.get('f'), { ino: 1, pos: 210 }, 'an older snapshot never overwrites a newer one');
    for (let k = 0; k < 7; k++) {
      const last = 200 - ((((200 - k) % 7) + 7) % 7);
      assert.deepEqual(db.get(`g${k}`), { ino: 2, pos: last });
    }
    assert.equal(p.dirty, 0);
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('positions: a failed settled() writes nothing and keeps the positions for the next checkpoint', async () => {
  const dir = tmp();
  try {
    const s = openStore(dir);
    const p = new LmdbPositionStore(s);
    p.set('f', { ino: 1, pos: 10 });
    await assert.rejects(
      p.checkpoint(() => Promise.reject(new Error('worker died'))),
      /worker died/,
    );
    assert.equal(s.db('positions').get('f'), undefined);
    assert.equal(p.dirty, 1);
    await p.checkpoint();
    assert.deepEqual(s.db('positions').get('f'), { ino: 1, pos: 10 });
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('positions: a FileTailer resumes from the stored position after a reopen', async () => {
  const dir = tmp();
  try {
    const log = path.join(dir, 'x.log');
    fs.writeFileSync(log, 'one\ntwo\n');
    const got: string[] = [];
    const s1 = openStore(path.join(dir, 'data'));
    const p1 = new LmdbPositionStore(s1);
    const t1 = new FileTailer({
      patterns: [log],
      fromStart: true,
      positions: p1,
      onLines: (_s, l) => {
        got.push(...l);
      },
    });
    await t1.pollOnce();
    t1.stop();
    await p1.checkpoint();
    await s1.close();
    fs.appendFileSync(log, 'three\n');
    const s2 = openStore(path.join(dir, 'data'));
    const t2 = new FileTailer({
      patterns: [log],
      fromStart: true,
      positions: new LmdbPositionStore(s2),
      onLines: (_s, l) => {
        got.push(...l);
      },
    });
    await t2.pollOnce();
    t2.stop();
    await s2.close();
    assert.deepEqual(got, ['one', 'two', 'three']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('store: unusable data folders give an error naming the folder', () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'plain-file');
    fs.writeFileSync(file, 'x');
    assert.throws(
      () => openStore(file),
      (e: Error) => e instanceof StoreError && e.message.includes(`data folder ${file}: not a directory`),
    );
    assert.throws(
      () => openStore(path.join(file, 'sub')),
      (e: Error) => e.message.includes(`data folder ${path.join(file, 'sub')}: cannot create it`),
    );

    const bad = path.join(dir, 'corrupt');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, STORE_FILE), Buffer.alloc(8192, 'garbage'));
    assert.throws(
      () => openStore(bad),
      (e: Error) => e.message.includes(`data folder ${bad}: ${STORE_FILE} is not an LMDB environment`),
    );

    const short = path.join(dir, 'short');
    fs.mkdirSync(short);
    fs.writeFileSync(path.join(short, STORE_FILE), 'xy');
    assert.throws(
      () => openStore(short),
      (e: Error) => e.message.includes(`data folder ${short}:`),
    );

    const isDir = path.join(dir, 'dirfile');
    fs.mkdirSync(path.join(isDir, STORE_FILE), { recursive: true });
    assert.throws(
      () => openStore(isDir),
      (e: Error) => e.message.includes(`data folder ${isDir}:`),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
