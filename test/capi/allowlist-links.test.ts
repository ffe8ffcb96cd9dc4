// The central's allowlist links (capi.md §5.3 step 2) through the community puller, on a real LMDB store, a
// scripted central and a real list server on 127.0.0.1: each link's body (one JSON object a line) replaces the
// local allowlist of that name as a whole (id and description from the central), bad lines are counted and
// skipped, a failed download keeps the list and never aborts the pull, active decisions the items cover expire
// (local ones too, as `picket allowlists add`), and community entries they cover never become decisions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllowlistBody } from '../../src/capi/allowlist-links.js';
import { activeValues, openSite, startListServer } from './lists-helpers.js';
import { news, puller, startCentral } from './puller-helpers.js';
import { alert, decision } from '../store/lapi-fixtures.js';

const line = (o: Record<string, unknown>): string => JSON.stringify(o);

const link = (name: string, url: string, id: string) => ({
  name,
  description: 'managed in the console',
  url,
  id,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-02T00:00:00Z',
});

test('allowlist links replace the local list, skip bad lines, expire covered decisions, never abort the pull', async () => {
  const site = openSite();
  const c = await startCentral();
  const lists = await startListServer();
  try {
    const until = Date.now() + 3_600_000;
    await site.store.addAlerts([
      alert([decision('198.51.100.7', until), decision('198.51.100.200', until), decision('192.0.2.99', until)]),
    ]);
    await site.allowlists.create('corp', 'made by hand');
    await site.allowlists.addItems('corp', [{ value: '192.0.2.99' }]);
    lists.bodies.set(
      '/corp',
      [
        line({
          value: '198.51.100.7',
          description: 'office',
          created_at: '2026-01-01T00:00:00Z',
          expiration: '0001-01-01T00:00:00Z',
        }),
        line({
          value: '2001:db8::/64',
          description: 'v6',
          created_at: '2026-01-01T00:00:00Z',
          expiration: '2099-01-01T00:00:00Z',
        }),
        'not json',
        line({ value: 'nope' }),
        line({ value: '203.0.113.9', expiration: 'tomorrow' }),
        '',
      ].join('\n'),
    );
    c.queue.push(
      JSON.stringify({
        new: [
          news('crowdsecurity/ssh-bf', [
            ['198.51.100.7', '24h'],
            ['203.0.113.1', '24h'],
          ]),
        ],
        links: {
          blocklists: [],
          allowlists: [link('corp', `${lists.url}/corp`, 'id-corp'), link('gone', `${lists.url}/missing`, 'id-gone')],
        },
      }),
    );
    const p = puller(site, c);
    const r = await p.pullOnce();
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(
      r.allowlists.map((a) => [a.name, a.outcome, a.items, a.invalid, a.expired]),
      [
        ['corp', 'replaced', 2, 3, 1],
        ['gone', 'failed', 0, 0, 0],
      ],
    );
    assert.match(r.allowlists[1]!.error, /HTTP 404/);
    const corp = site.allowlists.get('corp')!;
    assert.equal(corp.allowlistId, 'id-corp');
    assert.equal(corp.description, 'CAPI allowlist: managed in the console');
    assert.deepEqual(
      corp.items.map((i) => [i.value, i.description, i.createdAt, i.expiration]),
      [
        ['198.51.100.7', 'office', Date.UTC(2026, 0, 1), null],
        ['2001:db8::/64', 'v6', Date.UTC(2026, 0, 1), Date.UTC(2099, 0, 1)],
      ],
    );
    assert.equal(site.allowlists.get('gone'), undefined, 'a failed download creates no list');
    assert.deepEqual(site.allowlists.check('192.0.2.99', Date.now()), [], 'the hand-made item went with the list');
    assert.deepEqual(activeValues(site, 'crowdsec').sort(), ['192.0.2.99', '198.51.100.200']);
    assert.equal(r.allowlisted, 1, 'the community entry the new list covers is dropped');
    assert.deepEqual(activeValues(site, 'CAPI'), ['203.0.113.1']);

    // the next pull: the list changes as a whole
    lists.bodies.set('/corp', line({ value: '198.51.100.200', description: '', created_at: '', expiration: '' }));
    c.queue.push(JSON.stringify({ new: [], links: { allowlists: [link('corp', `${lists.url}/corp`, 'id-corp')] } }));
    const r2 = await p.pullOnce({ force: true });
    assert.deepEqual(
      r2.allowlists.map((a) => [a.outcome, a.items, a.expired]),
      [['replaced', 1, 1]],
    );
    assert.deepEqual(
      site.allowlists.get('corp')!.items.map((i) => i.value),
      ['198.51.100.200'],
    );
    assert.deepEqual(activeValues(site, 'crowdsec'), ['192.0.2.99']);
  } finally {
    await lists.close();
    await c.close();
    await site.close();
  }
});

test('allowlist body: times RFC 3339 or empty / Go zero (never expires); bad lines named', () => {
  const now = Date.UTC(2026, 5, 1);
  const b = parseAllowlistBody(
    [
      line({ value: '10.0.0.0/8', expiration: '2027-01-01T00:00:00+01:00' }),
      line({ value: '10.1.2.3', created_at: 'yesterday' }),
      '[1]',
      line({ value: '::1', description: 7 }),
    ].join('\r\n'),
    now,
  );
  assert.deepEqual(b.items, [
    { value: '10.0.0.0/8', description: '', createdAt: now, expiration: Date.UTC(2026, 11, 31, 23) },
    { value: '::1', description: '', createdAt: now, expiration: null },
  ]);
  assert.equal(b.invalid, 2);
  assert.equal(b.firstInvalid, 'line 2: created_at / expiration must be RFC 3339 times');
});

test('a malformed links.allowlists item is skipped and counted; the pull goes on', async () => {
  const site = openSite();
  const c = await startCentral();
  try {
    c.queue.push(JSON.stringify({ new: [], links: { allowlists: [{ name: 'x', url: 'ftp://h/x' }, 3] } }));
    const r = await puller(site, c).pullOnce();
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(r.allowlists, []);
    assert.deepEqual(site.allowlists.list(), []);
  } finally {
    await c.close();
    await site.close();
  }
});
