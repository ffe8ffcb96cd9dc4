// The GDPR tools against a real `picket run --no-agent` (its own process, LMDB in a temp dir): the address
// is put in every place Picket keeps one (an alert about it with events and meta, an alert of another source
// mentioning it, an expired and an active ban, a community-blocklist entry, an allowlist item, a bouncer's
// usage metrics), a bouncer holds the ban from its stream; then `picket gdpr export` lists all of it with
// deletion dates, `picket gdpr erase` removes it, the running LAPI follows (the bouncer's next stream poll
// gets the ban in `deleted`, lookups and alert listings no longer show it) and the erasure is recorded by
// keyed hash only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient, WatcherClient } from '../../src/client/index.js';
import { readCredentials } from '../../src/config/credentials.js';
import { credentialsPathOf } from '../../src/config/defaults.js';
import { eventually, picket, startPicket, type RunningPicket } from '../cli/helpers.js';
import { alertAt } from '../report/fixture.js';
import type { AddressExport } from '../../src/gdpr/export.js';
import type { ErasureRecord } from '../../src/store/erase.js';

const X = '203.0.113.77';
const OTHER = '198.51.100.23';
const HOUR = 3_600_000;

let lapi: RunningPicket;
let watcher: WatcherClient;
let bouncer: BouncerClient;
let key = '';
const data = () => ['--data', lapi.data];

before(async () => {
  lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const c = readCredentials(credentialsPathOf(lapi.data));
  watcher = new WatcherClient({ url: lapi.url, machineId: c.login, password: c.password });
  // the allowlist first: adding an item expires the active decisions it covers (CrowdSec 1.6+), and the bans
  // below must stay active (alerts carrying decisions are stored even for an allowlisted source)
  for (const args of [
    ['create', 'ops', '-d', 'ops'],
    ['add', 'ops', X, '203.0.113.0/24'],
  ]) {
    const a = await picket(['allowlists', ...args, ...data()]);
    assert.equal(a.code, 0, a.stderr);
  }
  const now = Date.now();
  await watcher.pushAlerts([
    // an old attack by X: its 1 h ban is over
    alertAt(X, 'crowdsecurity/ssh-bf', now - 5 * HOUR, 60, 7, '1h', [{ key: 'target_user', value: 'root' }]),
    // a current one: 4 h ban
    alertAt(X, 'crowdsecurity/http-probing', now - 60_000, 50, 12, '4h', [{ key: 'http_path', value: '/.env' }]),
    // another source whose events mention X (a proxy header)
    {
      ...alertAt(OTHER, 'crowdsecurity/http-crawl-non_statics', now - 120_000, 30, 20, '4h', [
        { key: 'x_forwarded_for', value: `${X}, 10.0.0.1` },
      ]),
      message: `Ip ${OTHER} (forwarded for ${X}) performed crowdsecurity/http-crawl-non_statics`,
    },
    // a community blocklist pull holding X among others
    {
      ...alertAt('0.0.0.0', 'update : +2/-0 IPs', now, 0, 0),
      source: { scope: 'Community blocklist', value: 'update : +2/-0 IPs' },
      events: [],
      decisions: [X, '203.0.113.78'].map((value) => ({
        duration: '24h',
        origin: 'CAPI',
        scenario: 'crowdsecurity/ssh-bf',
        scope: 'Ip',
        type: 'ban',
        value,
      })),
    },
  ]);
  const r = await picket(['bouncers', 'add', 'fw', '-o', 'raw', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  key = r.stdout.trim();
  bouncer = new BouncerClient({ url: lapi.url, apiKey: key });
  const usage = await fetch(new URL('/v1/usage-metrics', lapi.url), {
    method: 'POST',
    headers: {
      'x-api-key': key,
      'content-type': 'application/json',
      'user-agent': 'crowdsec-firewall-bouncer/v0.0.31',
    },
    body: JSON.stringify({
      remediation_components: [
        {
          type: 'crowdsec-firewall-bouncer',
          version: 'v0.0.31',
          utc_startup_timestamp: 1,
          feature_flags: [],
          metrics: [
            {
              meta: { window_size_seconds: 60, utc_now_timestamp: 1 },
              items: [{ name: 'dropped', value: 3, unit: 'packet', labels: { origin: 'crowdsec', top_source: X } }],
            },
          ],
        },
      ],
    }),
  });
  assert.equal(usage.status, 201, await usage.text());
});

after(async () => {
  await bouncer?.close();
  await watcher?.close();
  const code = await lapi?.stop();
  if (lapi) fs.rmSync(lapi.dir, { recursive: true, force: true });
  assert.equal(code, 0, lapi?.stderr());
});

async function exportX(): Promise<AddressExport> {
  const r = await picket(['gdpr', 'export', '--ip', X, '-o', 'json', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AddressExport;
}

test('export: every place holding the address, with the date it will be deleted', async () => {
  const x = await exportX();
  assert.deepEqual(x.summary, {
    alert: 2,
    'alert-mention': 1,
    decision: 2,
    'community-decision': 1,
    'usage-metrics': 1,
    'allowlist-item': 1,
    'allowlist-range': 1,
  });
  const alerts = x.items.filter((i) => i.kind === 'alert');
  for (const a of alerts) {
    const rec = a.data as { createdAt: number; events: { meta: { key: string; value: string }[] }[] };
    assert.ok(
      rec.events[0].meta.some((m) => m.value === X),
      'events and their meta are exported',
    );
    // 7 days after creation (default retention), or later when its ban ends later
    assert.ok(Date.parse(a.deleteBy!) >= rec.createdAt + 7 * 24 * HOUR - 1000, a.deleteBy!);
  }
  const um = x.items.find((i) => i.kind === 'usage-metrics')!;
  assert.equal(Date.parse(um.deleteBy!) - (um.data as { receivedAt: number }).receivedAt, 7 * 24 * HOUR);
  assert.equal(x.items.find((i) => i.kind === 'allowlist-item')!.deleteBy, null);
  assert.equal(x.retention.alertsMaxAge, '7d');
  assert.deepEqual(x.erasures, []);
  const human = await picket(['gdpr', 'export', '--ip', X, ...data()]);
  assert.match(human.stdout, /Data held about 203\.0\.113\.77 \(9 items\)/);
});

test('erase: gone from the store, the running LAPI and the bouncer; recorded by keyed hash', async () => {
  const first = await bouncer.stream({ startup: true });
  assert.ok(
    first.new.some((d) => d.value === X),
    'the bouncer holds the ban (de-duplicated: the longest)',
  );
  assert.equal((await bouncer.lookup({ ip: X })).length, 2);

  const r = await picket(['gdpr', 'erase', '--ip', X, '-o', 'json', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout) as ErasureRecord;
  assert.deepEqual(rec.counts.store, {
    alertsDeleted: 2,
    eventsDeleted: 2,
    alertsScrubbed: 1,
    decisionsDeleted: 1,
    decisionsWithdrawn: 2,
    usageMetricsScrubbed: 1,
    agentsScrubbed: 0,
  });
  assert.deepEqual(rec.counts.allowlists, { itemsRemoved: 1 });

  // the running LAPI picks the change log up: the bouncer's next poll removes both bans
  const removed = new Set<string>();
  await eventually(async () => {
    const d = await bouncer.stream();
    for (const x of d.deleted) if (x.value === X) removed.add(x.origin);
    assert.ok(!d.new.some((x) => x.value === X));
    return removed.size > 0;
  }, "the ban of X in the stream's deleted list");
  assert.deepEqual(await bouncer.lookup({ ip: X }), []);
  assert.equal((await bouncer.lookup({ ip: '203.0.113.78' })).length, 1, 'the other blocklist entry stays');
  const listed = await watcher.listAlerts({ limit: 0 } as never);
  assert.ok(!listed.some((a) => a.source.value === X), 'no alert about X');
  const scrubbed = listed.find((a) => a.source.value === OTHER)!;
  assert.ok(!JSON.stringify(scrubbed).includes(X), 'the mention is scrubbed');
  assert.match(scrubbed.message, /forwarded for \[erased\]/);
  assert.equal(scrubbed.events![0].meta!.find((m) => m.key === 'x_forwarded_for')!.value, '[erased], 10.0.0.1');
  assert.equal(scrubbed.decisions!.length, 1, 'its own ban is kept');

  // what is left: only the withdrawn bans, kept 24 h so every bouncer removes them; the allowlist range
  const after = await exportX();
  assert.deepEqual(after.summary, { decision: 1, 'community-decision': 1, 'allowlist-range': 1 });
  for (const d of after.items.filter((i) => i.kind.endsWith('decision'))) {
    assert.match(d.retention, /withdrawn/);
    assert.ok(Date.parse(d.deleteBy!) - Date.now() <= 25 * HOUR + 60_000);
  }
  // the erasure record: keyed hash of the address, never the address
  assert.equal(after.erasures.length, 1);
  const list = await picket(['gdpr', 'erasures', '-o', 'json', ...data()]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(X));
  const keyHex = fs.readFileSync(path.join(lapi.data, 'gdpr.key'), 'utf8').trim();
  assert.equal(fs.statSync(path.join(lapi.data, 'gdpr.key')).mode & 0o777, 0o600);
  const hash = crypto.createHmac('sha256', Buffer.from(keyHex, 'hex')).update(X).digest('hex');
  assert.deepEqual(
    (JSON.parse(list.stdout) as ErasureRecord[]).map((e) => e.addressHash),
    [hash],
  );
});

test('bad input: not an address, missing --ip, unknown sub-command', async () => {
  let r = await picket(['gdpr', 'export', '--ip', '203.0.113.0/24', ...data()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /'203\.0\.113\.0\/24' is not an IP address/);
  r = await picket(['gdpr', 'erase', ...data()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--ip IP is required/);
  r = await picket(['gdpr', 'forget', ...data()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown sub-command 'forget'/);
});
