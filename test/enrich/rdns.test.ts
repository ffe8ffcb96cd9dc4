// Reverse DNS resolver (src/parser/enrich/rdns.ts) against a DNS responder on loopback (dns-server.ts): names
// with Go's trailing dot, positive and negative cache, timeouts, the concurrency cap and its queue, LRU
// eviction; the `rdns:` config block and the run/replay options (file, line and key in errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReverseDns } from '../../src/parser/enrich/rdns.js';
import { parseConfig } from '../../src/config/config.js';
import { rdnsOption } from '../../src/cli/rdns-options.js';
import { arpaName, startDnsServer } from './dns-server.js';

test('ReverseDns: PTR answers with the trailing dot, failures, cache hits and coalesced lookups', async () => {
  const srv = await startDnsServer({ ptr: { '66.249.66.1': 'crawl-66-249-66-1.googlebot.com' } });
  try {
    const r = new ReverseDns({ servers: [srv.addr], timeoutMs: 2000 });
    const [a, b] = await Promise.all([r.lookup('66.249.66.1'), r.lookup('66.249.66.1')]);
    assert.equal(a, 'crawl-66-249-66-1.googlebot.com.');
    assert.equal(b, a);
    assert.equal(srv.queries.get(arpaName('66.249.66.1')), 1, 'two concurrent lookups, one query');
    assert.equal(await r.lookup('203.0.113.7'), null); // NXDOMAIN
    assert.equal(r.peek('66.249.66.1'), 'crawl-66-249-66-1.googlebot.com.');
    assert.equal(r.peek('203.0.113.7'), null, 'the failure is cached');
    assert.equal(await r.lookup('203.0.113.7'), null);
    assert.equal(srv.queries.get(arpaName('203.0.113.7')), 1, 'no second query for a cached failure');
    assert.equal(await r.lookup('not an ip'), null);
    const st = r.stats();
    assert.equal(st.lookups, 2);
    assert.equal(st.failures, 1);
    assert.equal(st.timeouts, 0);
    assert.ok(st.cacheHits >= 3);
  } finally {
    await srv.close();
  }
});

test('ReverseDns: a server that never answers is a timeout, cached as a failure for negativeTtlMs', async () => {
  const srv = await startDnsServer({ ptr: {}, drop: ['198.51.100.9'] });
  try {
    const r = new ReverseDns({ servers: [srv.addr], timeoutMs: 300, negativeTtlMs: 60_000 });
    assert.equal(await r.lookup('198.51.100.9'), null);
    assert.equal(r.stats().timeouts, 1);
    assert.equal(r.peek('198.51.100.9'), null);
    const short = new ReverseDns({ servers: [srv.addr], timeoutMs: 300, negativeTtlMs: 1 });
    assert.equal(await short.lookup('198.51.100.9'), null);
    await new Promise((res) => setTimeout(res, 5));
    assert.equal(short.peek('198.51.100.9'), undefined, 'expired: asked again next time');
  } finally {
    await srv.close();
  }
});

test('ReverseDns: at most maxInflight queries at once; a full queue answers null at once; LRU eviction', async () => {
  const ptr: Record<string, string> = {};
  for (let i = 1; i <= 12; i++) ptr[`192.0.2.${i}`] = `host-${i}.example.net`;
  const srv = await startDnsServer({ ptr, holdMs: 50 });
  try {
    const r = new ReverseDns({ servers: [srv.addr], maxInflight: 3, maxQueued: 6, cacheSize: 4 });
    const ips = Object.keys(ptr);
    const got = await Promise.all(ips.map((ip) => r.lookup(ip)));
    // 3 in flight + 6 queued are answered; the last 3 were refused without a query
    assert.deepEqual(
      got.slice(0, 9),
      ips.slice(0, 9).map((ip) => `${ptr[ip]}.`),
    );
    assert.deepEqual(got.slice(9), [null, null, null]);
    assert.equal(r.stats().dropped, 3);
    assert.equal(r.stats().lookups, 9);
    assert.ok(srv.maxOutstanding <= 3, `the server saw ${srv.maxOutstanding} queries at once`);
    assert.ok(srv.maxOutstanding >= 2, 'queries did run concurrently');
    // cache of 4: the 4 latest answers stay, the first ones were evicted
    assert.equal(r.peek('192.0.2.9'), 'host-9.example.net.');
    assert.equal(r.peek('192.0.2.1'), undefined);
  } finally {
    await srv.close();
  }
});

test('config rdns: block: values, and errors naming the file, line and key', () => {
  const c = parseConfig(
    'rdns:\n  enabled: true\n  dns_servers: [127.0.0.1:5353, "[::1]:53"]\n  timeout: 500ms\n  cache_size: 100\n' +
      '  cache_ttl: 1h\n  negative_cache_ttl: 1m\n  max_inflight: 4\n',
    '/etc/picket/config.yaml',
  );
  assert.deepEqual(c.rdns, {
    enabled: true,
    servers: ['127.0.0.1:5353', '[::1]:53'],
    timeoutMs: 500,
    cacheSize: 100,
    ttlMs: 3600_000,
    negativeTtlMs: 60_000,
    maxInflight: 4,
  });
  assert.throws(
    () => parseConfig('data_dir: /x\nrdns:\n  dns_server: [1.1.1.1]\n', 'c.yaml'),
    /c\.yaml:3: rdns\.dns_server: unknown key/,
  );
  assert.throws(() => parseConfig('rdns:\n  timeout: soon\n', 'c.yaml'), /c\.yaml:2: rdns\.timeout: 'soon'/);
  assert.throws(
    () => parseConfig('rdns:\n  dns_servers:\n    - 1.1.1.1\n    - dns.example\n', 'c.yaml'),
    /c\.yaml:4: rdns\.dns_servers\[1\]: 'dns\.example'/,
  );
  assert.throws(() => parseConfig('rdns:\n  enabled: "no"\n', 'c.yaml'), /c\.yaml:2: rdns\.enabled: expected true/);
});

test('run/replay options: --no-rdns, --dns-server, config, PICKET_RDNS=off', () => {
  assert.deepEqual(rdnsOption({}, undefined, {}), {});
  assert.equal(rdnsOption({ 'no-rdns': true }, undefined, {}), null);
  assert.equal(rdnsOption({}, { enabled: false }, {}), null);
  assert.equal(rdnsOption({}, undefined, { PICKET_RDNS: 'off' }), null);
  assert.deepEqual(rdnsOption({}, { enabled: true, timeoutMs: 100 }, { PICKET_RDNS: 'off' }), { timeoutMs: 100 });
  assert.deepEqual(rdnsOption({ 'dns-server': ['127.0.0.1:53'] }, { enabled: false }, { PICKET_RDNS: 'off' }), {
    servers: ['127.0.0.1:53'],
  });
  assert.throws(() => rdnsOption({ 'dns-server': ['localhost'] }, undefined, {}), /--dns-server localhost/);
  assert.throws(() => rdnsOption({ 'no-rdns': true, 'dns-server': ['127.0.0.1'] }, undefined, {}), /contradict/);
});
