// net/ip.ts: the two named semantics (Go net vs Go netip) and the text-scanning variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, parseAddr, parseIP16, parseIPv6At, quadEnd, zoneIndex } from '../../src/net/ip.js';

const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null);
const net = (s: string): string | null => {
  const b = new Uint8Array(16);
  return parseIP16(s, 0, s.length, b) ? hex(b) : null;
};

test('Go net: IPv4 is the IPv4-mapped IPv6 address; zones refused', () => {
  assert.equal(net('1.2.3.4'), '00000000000000000000ffff01020304');
  assert.equal(net('::ffff:1.2.3.4'), net('1.2.3.4'));
  assert.equal(net('fe80::1%eth0'), null);
  assert.equal(net('01.2.3.4'), null);
});

test('Go netip: IPv4 and IPv4-mapped IPv6 are distinct; a zone is dropped', () => {
  assert.equal(hex(parseAddr('1.2.3.4')), '01020304');
  assert.equal(hex(parseAddr('::ffff:1.2.3.4')), '00000000000000000000ffff01020304');
  assert.equal(hex(parseAddr('fe80::1%eth0')), 'fe800000000000000000000000000001');
  assert.equal(parseAddr('1.2.3.4%eth0'), null);
});

test('text scanning accepts leading zeros, parsers do not', () => {
  const b = new Uint8Array(16);
  assert.equal(quadEnd('01.2.3.4 x', 0, 10, b, 0, true), 8);
  assert.equal(quadEnd('01.2.3.4 x', 0, 10, b, 0, false), -1);
  assert.equal(parseIPv6At('::ffff:01.2.3.4', 0, 15, b, true), true);
  assert.equal(parseIPv6At('::ffff:01.2.3.4', 0, 15, b), false);
});

test('zones and RFC 5952 text', () => {
  assert.equal(zoneIndex('fe80::1%eth0'), 7);
  assert.equal(zoneIndex('fe80::1%'), -2);
  assert.equal(zoneIndex('fe80::1%a b'), -2);
  assert.equal(zoneIndex('fe80::1'), -1);
  const b = new Uint8Array(16);
  assert.ok(parseIP16('2001:db8:0:0:1:0:0:1', 0, 20, b));
  assert.equal(formatIPv6(b), '2001:db8::1:0:0:1');
});
