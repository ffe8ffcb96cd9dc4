// `picket blocklists add|list|delete` with a real `picket run --no-agent` (the CLI as child processes, a real list
// server on 127.0.0.1): the running LAPI downloads a subscribed list, a bouncer (Picket's client) sees its
// entries with origin lists:NAME (origins filter `lists:NAME` and `lists`), `decisions list` hides them unless -a
// or --origin (like cscli), `blocklists list -o json` shows the last sync, entries and ETag, `delete` expires them
// (the bouncer's next delta has them in deleted). Bad flags are refused naming the flag.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BouncerClient } from '../../src/client/index.js';
import { eventually, picket, startPicket, type RunningPicket } from '../cli/helpers.js';
import { startListServer, type ListServer } from './lists-helpers.js';

let lapi: RunningPicket;
let lists: ListServer;
let bouncer: BouncerClient;
const data = () => ['--data', lapi.data];

before(async () => {
  lists = await startListServer();
  lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  const r = await picket(['bouncers', 'add', 'fw', '-o', 'raw', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  bouncer = new BouncerClient({ url: lapi.url, apiKey: r.stdout.trim() });
});

after(async () => {
  await bouncer?.close();
  await lapi?.stop();
  await lists?.close();
});

test('flags are checked and named', async () => {
  const bad = [
    [['add', 'x'], /--url URL is required/],
    [['add', 'x', '--url', 'ftp://h/l'], /--url 'ftp:\/\/h\/l': http:\/\/ or https:\/\/ expected/],
    [['add', 'x', '--url', 'http://h/l', '--interval', '10s'], /--interval '10s': expected a duration of at least 1m/],
    [['add', 'x y', '--url', 'http://h/l'], /blocklist name 'x y'/],
    [['add', 'x', '--url', 'http://h/l', '--scope', 'country'], /--scope 'country': ip or range expected/],
    [['delete', 'nope'], /blocklist 'nope' does not exist/],
  ] as const;
  for (const [args, re] of bad) {
    const r = await picket(['blocklists', ...args, ...data()]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('a subscribed list reaches the bouncers with origin lists:NAME and leaves them when deleted', async () => {
  lists.bodies.set('/drop.txt', '# DROP\n192.0.2.77\n198.51.100.0/24 ; SBL9\n');
  const add = await picket([
    'blocklists',
    'add',
    'drop',
    '--url',
    `${lists.url}/drop.txt`,
    '--interval',
    '1m',
    ...data(),
  ]);
  assert.equal(add.code, 0, add.stderr);
  const dup = await picket(['blocklists', 'add', 'drop', '--url', `${lists.url}/drop.txt`, ...data()]);
  assert.match(dup.stderr, /blocklist 'drop' already exists/);

  const first = await bouncer.stream({ startup: true, origins: ['lists:drop'] });
  const seen = new Set(first.new.map((d) => d.value));
  await eventually(
    async () => {
      for (const d of (await bouncer.stream({ origins: ['lists:drop'] })).new) seen.add(d.value);
      return seen.has('192.0.2.77') && seen.has('198.51.100.0/24');
    },
    'the list in the bouncer stream',
    30_000,
  );
  const snap = await bouncer.stream({ startup: true, origins: ['lists'] });
  assert.deepEqual(snap.new.map((d) => [d.value, d.origin, d.scenario, d.type]).sort(), [
    ['192.0.2.77', 'lists:drop', 'drop', 'ban'],
    ['198.51.100.0/24', 'lists:drop', 'drop', 'ban'],
  ]);
  assert.equal((await bouncer.stream({ startup: true, origins: ['crowdsec'] })).new.length, 0);

  const l = await picket(['blocklists', 'list', '-o', 'json', ...data()]);
  const [row] = JSON.parse(l.stdout) as {
    name: string;
    entries: number;
    etag: string;
    last_sync: string;
    outcome: string;
  }[];
  assert.equal(row.name, 'drop');
  assert.equal(row.entries, 2);
  assert.equal(row.outcome, '200');
  assert.match(row.etag, /^".+"$/);
  assert.ok(Date.parse(row.last_sync) > Date.now() - 60_000);

  // decisions list: hidden by default, shown with -a and with --origin (like cscli)
  const plain = await picket(['decisions', 'list', '-o', 'json', ...data()]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /192\.0\.2\.77/);
  for (const extra of [['-a'], ['--origin', 'lists'], ['--origin', 'lists:drop']]) {
    const r = await picket(['decisions', 'list', ...extra, ...data()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lists:drop.*Ip:192\.0\.2\.77/, extra.join(' '));
  }

  const del = await picket(['blocklists', 'delete', 'drop', ...data()]);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, /2 active decision\(s\) expired/);
  const gone = new Set<string>();
  await eventually(
    async () => {
      for (const d of (await bouncer.stream({ origins: ['lists:drop'] })).deleted) gone.add(d.value);
      return gone.has('192.0.2.77') && gone.has('198.51.100.0/24');
    },
    'the deletions in the bouncer stream',
    15_000,
  );
  assert.equal((await bouncer.stream({ startup: true, origins: ['lists'] })).new.length, 0);
  assert.match((await picket(['blocklists', 'list', ...data()])).stdout, /No blocklists/);
});
