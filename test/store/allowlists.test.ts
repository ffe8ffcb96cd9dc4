// AllowlistStore on a real LMDB environment in a temp folder: create/delete/list/get, item add/remove,
// containment of IPv4/IPv6 addresses and ranges, item expiry, and another handle's writes seen on reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type PicketStore } from '../../src/store/lmdb.js';
import { AllowlistError, AllowlistStore } from '../../src/store/allowlists.js';
import { parseIpOrRange } from '../../src/store/iprange.js';

async function withStore(f: (env: PicketStore, dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-allowlists-'));
  const env = openStore(dir);
  try {
    await f(env, dir);
  } finally {
    await env.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const T0 = Date.UTC(2026, 10, 25, 5, 0, 0);

test('create, get, list, duplicate name, bad name, delete', async () => {
  await withStore(async (env) => {
    const s = new AllowlistStore(env, { clock: () => T0 });
    const a = await s.create('office', 'office IPs');
    assert.equal(a.name, 'office');
    assert.equal(a.description, 'office IPs');
    assert.equal(a.createdAt, T0);
    assert.deepEqual(a.items, []);
    assert.match(a.allowlistId, /^[0-9a-f-]{36}$/);
    await s.create('vpn', '');
    assert.deepEqual(
      s
        .list()
        .map((x) => x.name)
        .sort(),
      ['office', 'vpn'],
    );
    assert.equal(s.get('office')?.description, 'office IPs');
    assert.equal(s.get('nope'), undefined);
    await assert.rejects(
      s.create('office', 'again'),
      (e: unknown) => e instanceof AllowlistError && e.kind === 'exists',
    );
    await assert.rejects(s.create('bad name', ''), (e: unknown) => e instanceof AllowlistError && e.kind === 'invalid');
    assert.equal(await s.delete('vpn'), true);
    assert.equal(await s.delete('vpn'), false);
    assert.deepEqual(
      s.list().map((x) => x.name),
      ['office'],
    );
    // persisted: a fresh handle reads the same table
    const again = new AllowlistStore(env);
    assert.deepEqual(
      again.list().map((x) => x.name),
      ['office'],
    );
  });
});

test('add and remove items: validation before writing, duplicates skipped, unknown list', async () => {
  await withStore(async (env) => {
    let now = T0;
    const s = new AllowlistStore(env, { clock: () => now });
    await s.create('l', '');
    now = T0 + 5000;
    assert.equal(await s.addItems('l', [{ value: '192.0.2.1' }, { value: '10.0.0.0/8', description: 'lan' }]), 2);
    assert.equal(await s.addItems('l', [{ value: '192.0.2.1' }, { value: '2001:db8::/32' }]), 1);
    const rec = s.get('l')!;
    assert.deepEqual(
      rec.items.map((i) => i.value),
      ['192.0.2.1', '10.0.0.0/8', '2001:db8::/32'],
    );
    assert.equal(rec.items[1].description, 'lan');
    assert.equal(rec.items[0].createdAt, T0 + 5000);
    assert.equal(rec.items[0].expiration, null);
    assert.equal(rec.updatedAt, T0 + 5000);
    await assert.rejects(
      s.addItems('l', [{ value: '198.51.100.1' }, { value: 'not-an-ip' }]),
      (e: unknown) => e instanceof AllowlistError && e.kind === 'invalid' && /not-an-ip/.test(e.message),
    );
    assert.equal(s.get('l')!.items.length, 3, 'nothing of a refused batch is written');
    await assert.rejects(
      s.addItems('missing', [{ value: '1.2.3.4' }]),
      (e: unknown) => e instanceof AllowlistError && e.kind === 'not-found',
    );
    assert.equal(await s.removeItems('l', ['10.0.0.0/8', '203.0.113.9']), 1);
    assert.deepEqual(
      s.get('l')!.items.map((i) => i.value),
      ['192.0.2.1', '2001:db8::/32'],
    );
    assert.equal(await s.removeItems('l', ['10.0.0.0/8']), 0);
    await assert.rejects(
      s.removeItems('missing', ['1.2.3.4']),
      (e: unknown) => e instanceof AllowlistError && e.kind === 'not-found',
    );
  });
});

test('check: IPv4, IPv6, ranges inside items, ranges wider than items, several lists', async () => {
  await withStore(async (env) => {
    const s = new AllowlistStore(env, { clock: () => T0 });
    await s.create('a', '');
    await s.create('b', '');
    await s.addItems('a', [{ value: '10.0.0.0/8' }, { value: '2001:db8::/32' }, { value: '192.0.2.7' }]);
    await s.addItems('b', [{ value: '10.1.0.0/16' }]);
    assert.deepEqual(s.check('10.9.9.9', T0), ['a']);
    assert.deepEqual(s.check('10.1.2.3', T0).sort(), ['a', 'b']);
    assert.deepEqual(s.check('10.1.0.0/24', T0).sort(), ['a', 'b']);
    assert.deepEqual(s.check('10.0.0.0/7', T0), [], 'a range wider than every item is not allowlisted');
    assert.deepEqual(s.check('11.0.0.1', T0), []);
    assert.deepEqual(s.check('192.0.2.7', T0), ['a']);
    assert.deepEqual(s.check('192.0.2.8', T0), []);
    assert.deepEqual(s.check('2001:db8:1::5', T0), ['a']);
    assert.deepEqual(s.check('2001:db8:ff00::/40', T0), ['a']);
    assert.deepEqual(s.check('2001:db9::1', T0), []);
    assert.deepEqual(s.check('::ffff:10.2.3.4', T0), ['a'], 'IPv4-mapped IPv6 is IPv4');
    assert.throws(
      () => s.check('10.0.0.300', T0),
      (e: unknown) => e instanceof AllowlistError && e.kind === 'invalid',
    );
  });
});

test('check: expired items are ignored', async () => {
  await withStore(async (env) => {
    const s = new AllowlistStore(env, { clock: () => T0 });
    await s.create('tmp', '');
    await s.addItems('tmp', [{ value: '198.51.100.0/24', expiration: T0 + 60_000 }, { value: '203.0.113.1' }]);
    assert.deepEqual(s.check('198.51.100.9', T0 + 59_999), ['tmp']);
    assert.deepEqual(s.check('198.51.100.9', T0 + 60_000), []);
    assert.deepEqual(
      s.check('203.0.113.1', T0 + 10 * 365 * 86_400_000),
      ['tmp'],
      'items without expiration never expire',
    );
  });
});

test("another handle's writes are seen after the reload interval, at once with reloadEveryMs 0", async () => {
  await withStore(async (env) => {
    const reader = new AllowlistStore(env, { reloadEveryMs: 60_000 });
    const live = new AllowlistStore(env, { reloadEveryMs: 0 });
    const writer = new AllowlistStore(env);
    await writer.create('w', '');
    await writer.addItems('w', [{ value: '192.0.2.0/24' }]);
    assert.deepEqual(live.check('192.0.2.1', Date.now()), ['w']);
    assert.deepEqual(reader.check('192.0.2.1', Date.now()), [], 'cached copy until the interval passes');
    reader.reload();
    assert.deepEqual(reader.check('192.0.2.1', Date.now()), ['w']);
    await writer.delete('w');
    assert.deepEqual(live.check('192.0.2.1', Date.now()), []);
  });
});

test('isAllowlisted agrees with check; pruneExpired removes only expired items', async () => {
  await withStore(async (env) => {
    const s = new AllowlistStore(env, { clock: () => T0 });
    await s.create('a', '');
    await s.create('b', '');
    await s.addItems('a', [{ value: '192.0.2.0/24', expiration: T0 + 1000 }, { value: '2001:db8::/32' }]);
    await s.addItems('b', [{ value: '198.51.100.1', expiration: T0 + 5000 }]);
    const ip = (t: string) => parseIpOrRange(t)!;
    assert.equal(s.isAllowlisted(ip('192.0.2.9'), T0), true);
    assert.equal(s.isAllowlisted(ip('192.0.2.9'), T0 + 1000), false);
    assert.equal(s.isAllowlisted(ip('2001:db8::77'), T0 + 1000), true);
    assert.equal(s.isAllowlisted(ip('203.0.113.1'), T0), false);
    assert.equal(await s.pruneExpired(T0 + 999), 0);
    assert.equal(await s.pruneExpired(T0 + 1000), 1);
    assert.deepEqual(
      s.get('a')!.items.map((i) => i.value),
      ['2001:db8::/32'],
    );
    assert.equal(s.get('b')!.items.length, 1);
    assert.equal(await s.pruneExpired(T0 + 5000), 1);
    assert.deepEqual(s.get('b')!.items, []);
    assert.deepEqual(
      new AllowlistStore(env).get('a')!.items.map((i) => i.value),
      ['2001:db8::/32'],
      'persisted',
    );
  });
});
