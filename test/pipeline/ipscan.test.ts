import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardRouter, addressHash, scanAddress, shardOf } from '../../src/pipeline/ipscan.js';

test('IPv4: first address of syslog and nginx lines', () => {
  assert.equal(
    scanAddress('Nov 25 07:54:45 web01 sshd[123]: Failed password for root from 203.0.113.9 port 22 ssh2'),
    '203.0.113.9',
  );
  assert.equal(
    scanAddress('198.51.100.7 - - [10/Mar/2025:00:00:01 +0000] "GET / HTTP/1.1" 200 12 "-" "curl"'),
    '198.51.100.7',
  );
  assert.equal(scanAddress('client 10.0.0.1:443 then 10.0.0.2'), '10.0.0.1');
  assert.equal(scanAddress('ip=1.2.3.4,'), '1.2.3.4');
  assert.equal(scanAddress('[1.2.3.4]'), '1.2.3.4');
  assert.equal(scanAddress('255.255.255.255'), '255.255.255.255');
});

test('IPv6 forms', () => {
  assert.equal(scanAddress('Failed password for root from 2001:db8::1 port 22 ssh2'), '2001:db8::1');
  assert.equal(
    scanAddress('2001:0db8:85a3:0000:0000:8a2e:0370:7334 - - [x]'),
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
  );
  assert.equal(scanAddress('from [::1]:8080'), '::1');
  assert.equal(scanAddress('peer ::ffff:192.0.2.1 closed'), '::ffff:192.0.2.1');
  assert.equal(scanAddress('addr fe80::1.'), 'fe80::1');
  assert.equal(scanAddress('Nov 25 07:54:45 h sshd: from 2001:DB8:A::5 port 1'), '2001:DB8:A::5');
});

test('no address', () => {
  assert.equal(scanAddress(''), null);
  assert.equal(scanAddress('Nov 25 07:54:45 web01 CRON[1]: pam_unix(cron:session): session opened'), null);
  assert.equal(scanAddress('plain text line'), null);
});

test('address-like junk is not an address', () => {
  assert.equal(scanAddress('version 1.2.3.4.5 released'), null); // five parts
  assert.equal(scanAddress('256.1.1.1'), null); // octet > 255
  assert.equal(scanAddress('1.2.3'), null); // three parts
  assert.equal(scanAddress('1234.1.1.1'), null); // four digits
  assert.equal(scanAddress('at 07:54:45 ok'), null); // a time
  assert.equal(scanAddress('mac aa:bb:cc:dd:ee:ff'), null); // a MAC address
  assert.equal(scanAddress('host1.2.3.4x'), null); // glued to words
  assert.equal(scanAddress('1::2::3'), null); // two '::'
  assert.equal(scanAddress('1:2:3:4:5:6:7:8:9'), null); // nine groups
  assert.equal(scanAddress('12345::1'), null); // 5 hex digits
  // junk before a real address does not hide it
  assert.equal(scanAddress('v1.2.3.4.5 at 07:54:45 from 192.0.2.44'), '192.0.2.44');
});

test('shardOf: stable, in range, address-based, case-insensitive; no address -> shard 0', () => {
  const a = 'x from 192.0.2.1 port 1';
  const b = '192.0.2.1 - - "GET /"';
  for (const n of [2, 3, 8]) {
    assert.equal(shardOf(a, n), shardOf(b, n));
    assert.ok(shardOf(a, n) >= 0 && shardOf(a, n) < n);
    assert.equal(shardOf('no address here', n), 0);
  }
  assert.equal(shardOf('from 2001:DB8::1', 7), shardOf('from 2001:db8::1', 7));
  assert.equal(shardOf(a, 1), 0);
  const seen = new Set<number>();
  for (let i = 0; i < 64; i++) seen.add(shardOf(`from 10.0.${i}.1`, 4));
  assert.equal(seen.size, 4);
});

test('ShardRouter: an address keeps its shard, new ones go to the least loaded, deterministic, bounded table', () => {
  // a few busy addresses: hash mod 2 can put them all on one shard; the router spreads them by load
  const lines: string[] = [];
  const counts = [900, 800, 700, 600, 50, 40, 30, 20];
  for (let round = 0; round < 100; round++) {
    counts.forEach((c, i) => {
      for (let k = 0; k < c / 100; k++) lines.push(`Failed password for root from 10.0.0.${i + 1} port 22`);
    });
    lines.push('pam_unix(sshd:session): session closed for user deploy');
  }
  const a = new ShardRouter(2, 1),
    b = new ShardRouter(2, 1);
  const owner = new Map<string, number>();
  const load = [0, 0];
  for (const l of lines) {
    const k = a.route(l);
    assert.equal(b.route(l), k, 'same lines, same routes');
    load[k]!++;
    const addr = scanAddress(l);
    if (addr === null) {
      assert.equal(k, 1, 'no address: the `none` shard');
      continue;
    }
    if (owner.has(addr)) assert.equal(owner.get(addr), k, `${addr} moved`);
    else owner.set(addr, k);
  }
  assert.ok(Math.abs(load[0]! - load[1]!) < 0.2 * lines.length, `balanced: ${load}`);
  // a full table: known addresses keep their shard, new ones take the hash mod n
  const small = new ShardRouter(3, 0, 2);
  const first = small.route('from 1.1.1.1'),
    second = small.route('from 2.2.2.2');
  for (let i = 0; i < 50; i++) {
    const ip = `from 9.9.${i}.1`;
    assert.equal(small.route(ip), addressHash(ip) % 3);
    assert.equal(small.route('from 1.1.1.1'), first);
    assert.equal(small.route('from 2.2.2.2'), second);
  }
  assert.equal(new ShardRouter(1, 0).route('from 1.2.3.4'), 0);
});
