// The list sync engine (issue 13): formats (plain text, CrowdSec JSON shapes), conditional downloads (ETag ->
// 304 keeps the list), a list replaced as a whole (entries that left it expire and reach the bouncer stream as
// deleted, kept ones are not re-added), the body bound, local allowlists winning (and counted), deletion.
// Against a real LMDB store and a real HTTP list server on 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseList, ListFormatError } from '../../src/capi/list-parse.js';
import { removeListDecisions } from '../../src/capi/lists.js';
import { activeValues, metricValue, openSite, startListServer, userList } from './lists-helpers.js';

test('plain text: comments, CRLF, ranges, bad lines counted and the first named', () => {
  const p = parseList('# header\r\n192.0.2.1\r\n198.51.100.0/24 ; SBL1\n\n2001:db8::1 # v6\nnot-an-ip\n300.1.1.1\n');
  assert.deepEqual(p.entries, [
    { scope: 'Ip', value: '192.0.2.1' },
    { scope: 'Range', value: '198.51.100.0/24' },
    { scope: 'Ip', value: '2001:db8::1' },
  ]);
  assert.equal(p.invalid, 2);
  assert.match(p.firstInvalid, /^line 6: 'not-an-ip' is not an IP address/);
});

test('JSON shapes: array of values or decisions, {"new": [...]}, one object a line', () => {
  const a = parseList('["192.0.2.1", {"value": "192.0.2.2", "duration": "4h", "type": "captcha"}]');
  assert.deepEqual(a.entries, [
    { scope: 'Ip', value: '192.0.2.1' },
    { scope: 'Ip', value: '192.0.2.2', type: 'captcha', durationMs: 4 * 3_600_000 },
  ]);
  const b = parseList('{"new": [{"value": "10.0.0.0/8", "scope": "range", "duration": "1h"}, {"value": 3}]}');
  assert.deepEqual(b.entries, [{ scope: 'Range', value: '10.0.0.0/8', durationMs: 3_600_000 }]);
  assert.equal(b.invalid, 1);
  const c = parseList('{"value": "192.0.2.9", "description": "x"}\n{"value": "bad"}\n');
  assert.deepEqual(c.entries, [{ scope: 'Ip', value: '192.0.2.9' }]);
  assert.equal(c.invalid, 1);
  assert.throws(() => parseList('{"foo": 1}'), ListFormatError);
  assert.throws(() => parseList('192.0.2.1\n192.0.2.2\n192.0.2.3\n', 2), /more than 2 entries/);
  const long = parseList(`${'1'.repeat(100_000)}\n192.0.2.4\n`);
  assert.deepEqual([long.entries.length, long.firstInvalid], [1, 'line 1: a value of 100000 characters']);
});

test('a list is downloaded, kept on 304, replaced as a whole, never duplicated', async () => {
  const site = openSite();
  const srv = await startListServer();
  try {
    srv.bodies.set('/l.txt', '192.0.2.1\n192.0.2.2\n198.51.100.0/24\n');
    await site.lists.table.add(userList('mylist', `${srv.url}/l.txt`));
    const t0 = Date.now();
    const s1 = await site.lists.sync('mylist');
    assert.equal(s1?.outcome, '200');
    assert.equal(s1?.entries, 3);
    assert.notEqual(s1?.etag, '');
    assert.deepEqual(activeValues(site, 'lists:mylist'), ['192.0.2.1', '192.0.2.2', '198.51.100.0/24']);
    const d = site.store.queryDecisions({ value: '198.51.100.0/24' }, Date.now())[0];
    assert.equal(d.scope, 'Range');
    assert.equal(d.scenario, 'mylist');
    assert.equal(d.type, 'ban');
    assert.ok(d.until >= t0 + 24 * 3_600_000 - 1000);
    // the bouncer stream with the origins filter (CrowdSec's `lists` matches lists:NAME too)
    for (const origins of [['lists:mylist'], ['lists']]) {
      const st = site.store.stream({ origins }, { startup: true, lastPull: null, dedup: true, now: Date.now() });
      assert.equal(st.new.length, 3, origins.join());
    }
    assert.equal(
      site.store.stream({ origins: ['CAPI'] }, { startup: true, lastPull: null, dedup: true, now: Date.now() }).new
        .length,
      0,
    );

    // unchanged: conditional request, 304, nothing rewritten
    const ids = site.store.indexedDecisions().map((x) => x.id);
    const s2 = await site.lists.sync('mylist');
    assert.equal(s2?.outcome, '304');
    assert.equal(srv.seen.at(-1)?.ifNoneMatch, s1?.etag);
    assert.deepEqual(
      site.store.indexedDecisions().map((x) => x.id),
      ids,
    );

    // changed: one left, one new; the others keep their rows
    const before = Date.now();
    srv.bodies.set('/l.txt', '192.0.2.1\n198.51.100.0/24\n203.0.113.7\n');
    const s3 = await site.lists.sync('mylist');
    assert.equal(s3?.entries, 3);
    assert.deepEqual(activeValues(site, 'lists:mylist'), ['192.0.2.1', '198.51.100.0/24', '203.0.113.7']);
    for (const v of ['192.0.2.1', '198.51.100.0/24', '203.0.113.7'])
      assert.equal(site.store.countDecisions(v, { activeOnly: true, now: Date.now() }), 1, v);
    const delta = site.store.stream(
      { origins: ['lists:mylist'] },
      { startup: false, lastPull: before, dedup: true, now: Date.now() + 1 },
    );
    assert.deepEqual(
      delta.new.map((x) => x.value),
      ['203.0.113.7'],
    );
    assert.deepEqual(
      delta.deleted.map((x) => x.value),
      ['192.0.2.2'],
    );

    // deletion expires every decision of the list
    await site.lists.table.delete('mylist');
    assert.equal(await removeListDecisions(site.target, 'mylist', Date.now()), 3);
    assert.deepEqual(activeValues(site, 'lists:mylist'), []);
  } finally {
    await srv.close();
    await site.close();
  }
});

test('a local allowlist wins over a list entry (counted), also for a range holding an allowlisted address', async () => {
  const site = openSite();
  const srv = await startListServer();
  try {
    await site.allowlists.create('mine', '');
    await site.allowlists.addItems('mine', [{ value: '192.0.2.1' }, { value: '10.1.0.0/16' }]);
    srv.bodies.set('/l', '192.0.2.1\n192.0.2.2\n10.1.2.3\n192.0.2.0/24\n');
    await site.lists.table.add(userList('l', `${srv.url}/l`));
    const s = await site.lists.sync('l');
    assert.equal(s?.allowlisted, 3);
    assert.equal(s?.entries, 1);
    assert.deepEqual(activeValues(site, 'lists:l'), ['192.0.2.2']);
    assert.equal(await metricValue(site.registry, 'picket_capi_allowlisted_total', { origin: 'lists:l' }), 3);
  } finally {
    await srv.close();
    await site.close();
  }
});

test('a failed or oversized download keeps the decisions in force and says why', async () => {
  const site = openSite();
  const srv = await startListServer();
  try {
    srv.bodies.set('/l', '192.0.2.1\n');
    await site.lists.table.add(userList('l', `${srv.url}/l`));
    await site.lists.sync('l');
    srv.bodies.delete('/l');
    const s = await site.lists.sync('l', { force: true });
    assert.equal(s?.outcome, 'HTTP 404');
    assert.deepEqual(activeValues(site, 'lists:l'), ['192.0.2.1']);
    srv.bodies.set('/big', '192.0.2.1\n'.repeat(2000));
    await site.lists.table.add(userList('big', `${srv.url}/big`));
    const { ListSync } = await import('../../src/capi/lists.js');
    const bounded = new ListSync(site.target, site.lists.table, { maxBytes: 1000 });
    const b = await bounded.sync('big');
    assert.match(b?.outcome ?? '', /exceeds the bound of 1000/);
    assert.deepEqual(activeValues(site, 'lists:big'), []);
    assert.equal(
      await metricValue(site.registry, 'picket_capi_list_syncs_total', { list: 'big', outcome: 'failed' }),
      1,
    );
  } finally {
    await srv.close();
    await site.close();
  }
});

test('due user lists are synced by the timer; a list added while it runs is picked up', async () => {
  const site = openSite();
  const srv = await startListServer();
  try {
    srv.bodies.set('/a', '192.0.2.10\n');
    const { ListSync } = await import('../../src/capi/lists.js');
    const sync = new ListSync(site.target, site.lists.table, { tickMs: 50 });
    sync.start();
    await site.lists.table.add(userList('a', `${srv.url}/a`));
    for (let i = 0; i < 200 && activeValues(site, 'lists:a').length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      site.store.sync();
    }
    await sync.stop();
    assert.deepEqual(activeValues(site, 'lists:a'), ['192.0.2.10']);
    assert.ok((site.lists.table.get('a')?.state.lastSync ?? 0) > 0);
  } finally {
    await srv.close();
    await site.close();
  }
});
