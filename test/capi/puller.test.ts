// The community blocklist puller (capi.md §5; issue 13) against a real LMDB store and a scripted central API on
// 127.0.0.1 (login + GET /v3/decisions/stream answering the bodies the test queues): the query (startup first,
// community_pull / additional_pull when off), new entries as origin CAPI decisions never duplicated across
// pulls (re-sent = kept, longer = one refreshed row that bouncers see as new, never deleted), deletions, a
// startup answer replacing the list, the skip rule, links synced as lists:NAME and dropped when no longer named,
// allowlists winning, a bad answer refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOnlineClient } from '../../src/capi/config.js';
import { news, puller, startCentral } from './puller-helpers.js';
import { toSignal } from '../../src/capi/signal.js';
import { activeValues, metricValue, openSite, startListServer } from './lists-helpers.js';

test('new, re-sent, refreshed and deleted entries; never duplicated; startup replaces the list', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    const p = puller(site, c);
    c.queue.push(
      JSON.stringify({
        new: [
          news('crowdsecurity/ssh-bf', [
            ['192.0.2.1', '24h'],
            ['192.0.2.2', '24h'],
          ]),
          news('x/http', [['198.51.100.0/24', '1h']], 'range'),
        ],
        deleted: [],
      }),
    );
    const r1 = await p.pullOnce();
    assert.equal(r1.outcome, 'ok');
    assert.equal(r1.added, 3);
    assert.equal(c.queries[0], 'startup=true');
    assert.deepEqual(activeValues(site, 'CAPI'), ['192.0.2.1', '192.0.2.2', '198.51.100.0/24']);
    const d = site.store.queryDecisions({ value: '198.51.100.0/24' }, Date.now())[0];
    assert.deepEqual([d.origin, d.scope, d.type, d.scenario], ['CAPI', 'Range', 'ban', 'x/http']);
    const alert = site.store.getAlert(d.alertId)!;
    assert.equal(alert.source.scope, 'crowdsecurity/community-blocklist');
    assert.equal(alert.scenario, 'update : +3/-0 IPs');

    // a delta: .1 re-sent with the same end (kept), .2 with a later end (refreshed: one row, new id), .3 new
    const before = Date.now();
    const id1 = site.store.queryDecisions({ value: '192.0.2.1' }, Date.now())[0].id;
    const id2 = site.store.queryDecisions({ value: '192.0.2.2' }, Date.now())[0].id;
    c.queue.push(
      JSON.stringify({
        new: [
          news('crowdsecurity/ssh-bf', [
            ['192.0.2.1', '24h'],
            ['192.0.2.2', '48h'],
            ['192.0.2.3', '1h'],
          ]),
        ],
      }),
    );
    const r2 = await p.pullOnce({ force: true });
    assert.equal(c.queries[1], '');
    assert.deepEqual([r2.added, r2.refreshed, r2.kept], [1, 1, 1]);
    for (const v of ['192.0.2.1', '192.0.2.2', '192.0.2.3'])
      assert.equal(site.store.countDecisions(v, { activeOnly: true, now: Date.now() }), 1, v);
    assert.equal(site.store.queryDecisions({ value: '192.0.2.1' }, Date.now())[0].id, id1);
    assert.notEqual(site.store.queryDecisions({ value: '192.0.2.2' }, Date.now())[0].id, id2);
    const delta = site.store.stream(
      { origins: ['CAPI'] },
      { startup: false, lastPull: before, dedup: true, now: Date.now() + 1 },
    );
    assert.deepEqual(
      delta.new.map((x) => x.value),
      ['192.0.2.2', '192.0.2.3'],
    );
    assert.deepEqual(delta.deleted, [], 'a refresh is never a deletion for the bouncers');

    // deletions (scope matched unless ip)
    const before2 = Date.now();
    c.queue.push(
      JSON.stringify({
        new: [],
        deleted: [
          { scope: 'ip', decisions: ['192.0.2.3'] },
          { scope: 'ip', decisions: ['198.51.100.0/24'] },
        ],
      }),
    );
    const r3 = await p.pullOnce({ force: true });
    assert.equal(r3.deleted, 2);
    assert.deepEqual(activeValues(site, 'CAPI'), ['192.0.2.1', '192.0.2.2']);
    const delta2 = site.store.stream(
      { origins: ['CAPI'] },
      { startup: false, lastPull: before2, dedup: true, now: Date.now() + 1 },
    );
    assert.deepEqual(delta2.deleted.map((x) => x.value).sort(), ['192.0.2.3', '198.51.100.0/24']);

    // a new process: startup=true again; its answer is the whole list (192.0.2.1 left it)
    const p2 = puller(site, c);
    c.queue.push(JSON.stringify({ new: [news('crowdsecurity/ssh-bf', [['192.0.2.2', '48h']])] }));
    const r4 = await p2.pullOnce({ force: true });
    assert.equal(c.queries.at(-1), 'startup=true');
    assert.equal(r4.kept, 1);
    assert.deepEqual(activeValues(site, 'CAPI'), ['192.0.2.2']);
  } finally {
    await c.close();
    await site.close();
  }
});

test('skip rule after a recent pull; community_pull=false and additional_pull=false in the query', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    const p = puller(site, c, { community: false, blocklists: false });
    assert.equal((await p.pullOnce()).outcome, 'ok');
    assert.equal(c.queries[0], 'startup=true&community_pull=false&additional_pull=false');
    const again = puller(site, c, { intervalMs: 2 * 3_600_000 });
    assert.equal((await again.pullOnce()).outcome, 'skipped', 'a pull less than 1h30 after the last one is skipped');
    assert.equal(c.queries.length, 1);
    assert.equal((await again.pullOnce({ force: true })).outcome, 'ok');
    assert.equal(await metricValue(site.registry, 'picket_capi_pulls_total', { outcome: 'skipped' }), 1);
  } finally {
    await c.close();
    await site.close();
  }
});

test('links.blocklists become lists:NAME decisions; a link no longer named takes its decisions away', async () => {
  const site = openSite();
  const c = await startCentral();
  const lists = await startListServer();
  try {
    lists.bodies.set('/v3/blocklists/curated', '203.0.113.5\n203.0.113.6\n');
    const link = {
      name: 'curated',
      url: `${lists.url}/v3/blocklists/curated?sig=abc`,
      remediation: 'ban',
      scope: 'ip',
      duration: '2h10m',
    };
    c.queue.push(JSON.stringify({ new: [], deleted: [], links: { blocklists: [link] } }));
    const p = puller(site, c);
    const r = await p.pullOnce();
    assert.deepEqual(r.lists, ['curated']);
    assert.deepEqual(activeValues(site, 'lists:curated'), ['203.0.113.5', '203.0.113.6']);
    assert.equal(site.lists.table.get('curated')?.source, 'capi');
    // the central says one was removed (in `deleted`): it goes at once
    c.queue.push(
      JSON.stringify({
        new: [],
        deleted: [{ scope: 'ip', decisions: ['203.0.113.6'] }],
        links: { blocklists: [link] },
      }),
    );
    lists.bodies.set('/v3/blocklists/curated', '203.0.113.5\n');
    await p.pullOnce({ force: true });
    assert.deepEqual(activeValues(site, 'lists:curated'), ['203.0.113.5']);
    // no link any more: the list and its decisions go
    c.queue.push(JSON.stringify({ new: [], deleted: [], links: { blocklists: [] } }));
    await p.pullOnce({ force: true });
    assert.deepEqual(activeValues(site, 'lists:curated'), []);
    assert.equal(site.lists.table.get('curated'), undefined);
  } finally {
    await lists.close();
    await c.close();
    await site.close();
  }
});

test('an allowlisted community entry never becomes a decision; one in force expires when allowlisted', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    await site.allowlists.create('ours', '');
    await site.allowlists.addItems('ours', [{ value: '192.0.2.50' }]);
    c.queue.push(
      JSON.stringify({
        new: [
          news('s', [
            ['192.0.2.50', '4h'],
            ['192.0.2.51', '4h'],
          ]),
        ],
      }),
    );
    const p = puller(site, c);
    assert.equal((await p.pullOnce()).allowlisted, 1);
    assert.deepEqual(activeValues(site, 'CAPI'), ['192.0.2.51']);
    await site.allowlists.addItems('ours', [{ value: '192.0.2.51' }]);
    c.queue.push(JSON.stringify({ new: [] }));
    await p.pullOnce({ force: true });
    assert.deepEqual(activeValues(site, 'CAPI'), []);
    assert.equal(await metricValue(site.registry, 'picket_capi_allowlisted_total', { origin: 'CAPI' }), 1);
  } finally {
    await c.close();
    await site.close();
  }
});

test('a bad answer is refused with the reason and changes nothing; bad items are skipped', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    const p = puller(site, c);
    c.queue.push('{"new": 3}');
    const r = await p.pullOnce();
    assert.equal(r.outcome, 'failed');
    assert.match(r.error, /new: an array expected/);
    c.queue.push(
      JSON.stringify({
        new: [
          news('s', [
            ['not-an-ip', '1h'],
            ['192.0.2.9', 'soon'],
            ['192.0.2.8', '1h'],
          ]),
          { scope: 'ip' },
        ],
      }),
    );
    const r2 = await p.pullOnce();
    assert.equal(r2.outcome, 'ok');
    assert.equal(r2.startup, true, 'startup=true until a pull succeeds');
    assert.deepEqual(activeValues(site, 'CAPI'), ['192.0.2.8']);
  } finally {
    await c.close();
    await site.close();
  }
});

test('what the crowd brought in is never shared back as a signal', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    c.queue.push(JSON.stringify({ new: [news('crowdsecurity/ssh-bf', [['192.0.2.60', '4h']])] }));
    await puller(site, c).pullOnce();
    const d = site.store.queryDecisions({ value: '192.0.2.60' }, Date.now())[0];
    const a = site.store.getAlert(d.alertId)!;
    const full = { ...defaultOnlineClient('/dev/null'), sharing: 'full' as const };
    assert.equal(toSignal(a, [d], full), null);
    assert.equal(toSignal({ ...a, source: { ...a.source, scope: 'Ip', value: '192.0.2.60' } }, [d], full), null);
  } finally {
    await c.close();
    await site.close();
  }
});
