// IP / prefix parsing used by parser whitelists (Go netip semantics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddr as parseIP } from '../../src/net/ip.js';
import { parseCIDR, prefixContains, ipEqual } from '../../src/parser/whitelist.js';

const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : null);

test('parseIP: IPv4 strict dotted decimal', () => {
  assert.equal(hex(parseIP('1.2.3.4')), '01020304');
  assert.equal(hex(parseIP('255.255.255.255')), 'ffffffff');
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '', 'a.b.c.d', '1.2.3.4 '])
    assert.equal(parseIP(bad), null, bad);
});

test('parseIP: IPv6 forms', () => {
  assert.equal(hex(parseIP('::1')), '00000000000000000000000000000001');
  assert.equal(hex(parseIP('::')), '0'.repeat(32));
  assert.equal(hex(parseIP('2001:db8::5')), '20010db8000000000000000000000005');
  assert.equal(hex(parseIP('fe80::1%eth0')), 'fe800000000000000000000000000001');
  assert.equal(hex(parseIP('::ffff:1.2.3.4')), '00000000000000000000ffff01020304');
  assert.equal(hex(parseIP('1:2:3:4:5:6:7:8')), '00010002000300040005000600070008');
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '12345::', 'g::1', '1:2:3:4:5:6:7'])
    assert.equal(parseIP(bad), null, bad);
});

test('IPv4 and IPv4-mapped IPv6 are different addresses; prefixes contain their family only', () => {
  assert.equal(ipEqual(parseIP('1.2.3.4')!, parseIP('::ffff:1.2.3.4')!), false);
  const p = parseCIDR('10.1.2.3/8')!;
  assert.equal(hex(p.addr), '0a000000');
  assert.ok(prefixContains(p, parseIP('10.200.0.1')!));
  assert.ok(!prefixContains(p, parseIP('11.0.0.1')!));
  assert.ok(!prefixContains(p, parseIP('::ffff:10.0.0.1')!));
  const p6 = parseCIDR('2001:db8::/33')!;
  assert.ok(prefixContains(p6, parseIP('2001:db8:7fff::1')!));
  assert.ok(!prefixContains(p6, parseIP('2001:db8:8000::1')!));
  assert.ok(prefixContains(parseCIDR('0.0.0.0/0')!, parseIP('8.8.8.8')!));
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '::/129', 'x/8', '10.0.0.0/']) assert.equal(parseCIDR(bad), null, bad);
});
