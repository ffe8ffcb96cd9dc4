import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpRange, ipRangeContains, ipRangeToBytes16, parseIpOrRange } from '../../src/store/iprange.js';
import type { IpRange } from '../../src/store/records.js';
import { rng } from './random.js';

function parsed(s: string): IpRange {
  const r = parseIpOrRange(s);
  assert.ok(r, `${s} should parse`);
  return r;
}

/** [input, family, bytes, prefix] */
const accepted: Array<[string, 4 | 6, number[], number]> = [
  ['1.2.3.4', 4, [1, 2, 3, 4], 32],
  ['0.0.0.0', 4, [0, 0, 0, 0], 32],
  ['255.255.255.255', 4, [255, 255, 255, 255], 32],
  ['10.0.0.0/8', 4, [10, 0, 0, 0], 8],
  ['10.1.2.3/8', 4, [10, 0, 0, 0], 8],
  ['198.51.100.7/24', 4, [198, 51, 100, 0], 24],
  ['192.168.1.255/31', 4, [192, 168, 1, 254], 31],
  ['1.2.3.4/0', 4, [0, 0, 0, 0], 0],
  ['1.2.3.4/32', 4, [1, 2, 3, 4], 32],
  ['10.0.0.0/08', 4, [10, 0, 0, 0], 8], // Go's ParseCIDR reads the length with dtoi: zero padding is fine
  ['2001:db8::1', 6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128],
  ['2001:DB8::/32', 6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32],
  ['2001:db8:ffff::1/33', 6, [0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 33],
  ['::', 6, Array(16).fill(0), 128],
  ['::/0', 6, Array(16).fill(0), 0],
  ['::1', 6, [...Array(15).fill(0), 1], 128],
  ['1::', 6, [0, 1, ...Array(14).fill(0)], 128],
  ['1:2:3:4:5:6:7:8', 6, [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8], 128],
  ['0001:0002:0003:0004:0005:0006:0007:0008', 6, [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8], 128],
  ['1:2:3:4:5:6:1.2.3.4', 6, [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4], 128],
  ['64:ff9b::192.0.2.33', 6, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33], 128],
  ['::1.2.3.4', 6, [...Array(12).fill(0), 1, 2, 3, 4], 128], // IPv4-compatible is not IPv4-mapped
  // IPv4-mapped IPv6 is IPv4 (Go To4())
  ['::ffff:1.2.3.4', 4, [1, 2, 3, 4], 32],
  ['::FFFF:1.2.3.4', 4, [1, 2, 3, 4], 32],
  ['::ffff:102:304', 4, [1, 2, 3, 4], 32],
  ['0:0:0:0:0:ffff:1.2.3.4', 4, [1, 2, 3, 4], 32],
  ['::ffff:1.2.3.0/120', 4, [1, 2, 3, 0], 24],
  ['::ffff:1.2.3.77/120', 4, [1, 2, 3, 0], 24],
  ['::ffff:0:0/96', 4, [0, 0, 0, 0], 0],
  ['::ffff:1.2.3.4/128', 4, [1, 2, 3, 4], 32],
  // a mapped prefix shorter than /96 is no longer inside ::ffff:0:0/96: it stays IPv6
  ['::ffff:1.2.3.4/80', 6, Array(16).fill(0), 80],
];

test('parseIpOrRange: accepted forms, host bits zeroed, IPv4-mapped become IPv4', () => {
  for (const [s, family, bytes, prefix] of accepted) {
    const r = parsed(s);
    assert.equal(r.family, family, `${s}: family`);
    assert.deepEqual([...r.bytes], bytes, `${s}: bytes`);
    assert.equal(r.bytes.length, family === 4 ? 4 : 16, `${s}: byte length`);
    assert.equal(r.prefix, prefix, `${s}: prefix`);
  }
});

test('parseIpOrRange: rejected forms', () => {
  const rejected = [
    '',
    'bogus',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '256.1.1.1',
    '1.2.3.4/33',
    '1.2.3.4/',
    '1.2.3.4/-1',
    '1.2.3.4/+8',
    '1.2.3.4/8/8',
    '1.2.3.4/a',
    '/8',
    '01.2.3.4',
    '1.02.3.4',
    '1.2.3.004',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4\n',
    '1234.1.1.1',
    '0x1.2.3.4',
    '1.2.3.4:80',
    '2001:db8::/129',
    '2001:db8::1%eth0',
    'fe80::1%1/64',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    '::1:',
    ':1::2',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '1::2:3:4:5:6:7:8',
    '12345::1',
    'g::1',
    '::ffff:1.2.3',
    '::ffff:01.2.3.4',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:1.2.3.4',
    '::ffff:1.2.3.4/129',
    '2001:db8::1/1280',
    'x'.repeat(100),
  ];
  for (const s of rejected) assert.equal(parseIpOrRange(s), null, JSON.stringify(s));
});

test('formatIpRange: canonical text, /prefix only for real ranges', () => {
  const cases: Array<[string, string]> = [
    ['1.2.3.4', '1.2.3.4'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['1.2.3.4/32', '1.2.3.4'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest run
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], // the first of equal runs
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::/0', '::/0'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.0/120', '1.2.3.0/24'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [input, text] of cases) assert.equal(formatIpRange(parsed(input)), text, input);
});

function randomV6Bytes(rand: () => number): Uint8Array {
  const b = new Uint8Array(16);
  for (let g = 0; g < 8; g++) {
    if (rand() < 0.4) continue; // zero groups make `::` runs of every length
    const v = rand() < 0.3 ? Math.floor(rand() * 16) : Math.floor(rand() * 65536);
    b[2 * g] = v >> 8;
    b[2 * g + 1] = v & 0xff;
  }
  if (b[10] === 0xff && b[11] === 0xff) b[11] = 0xfe; // keep it non-mapped
  return b;
}

test('formatIpRange matches the WHATWG URL serializer for IPv6 and round-trips through parse', () => {
  const rand = rng(7);
  for (let i = 0; i < 5000; i++) {
    const r: IpRange = { family: 6, bytes: randomV6Bytes(rand), prefix: 128 };
    const text = formatIpRange(r);
    assert.equal(new URL(`http://[${text}]/`).hostname, `[${text}]`, text);
    assert.deepEqual(parseIpOrRange(text), r, text);
  }
  for (let i = 0; i < 5000; i++) {
    const prefix = Math.floor(rand() * 33);
    const r = parsed(
      `${(rand() * 256) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}/${prefix}`,
    );
    assert.equal(r.prefix, prefix);
    assert.deepEqual(parseIpOrRange(formatIpRange(r)), r);
    const r6 = parsed(
      `${formatIpRange({ family: 6, bytes: randomV6Bytes(rand), prefix: 128 })}/${Math.floor(rand() * 129)}`,
    );
    assert.deepEqual(parseIpOrRange(formatIpRange(r6)), r6);
  }
});

test('host bits are zeroed for every prefix length', () => {
  for (let p = 0; p <= 32; p++) {
    const r = parsed(`255.255.255.255/${p}`);
    const v = ((r.bytes[0]! << 24) | (r.bytes[1]! << 16) | (r.bytes[2]! << 8) | r.bytes[3]!) >>> 0;
    assert.equal(v, p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0, `/${p}`);
  }
  for (let p = 0; p <= 128; p++) {
    const r = parsed(`ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/${p}`);
    let ones = 0;
    for (const byte of r.bytes) for (let k = 7; k >= 0; k--) ones += (byte >> k) & 1;
    assert.equal(ones, p, `/${p}`);
    for (let i = 0; i < p; i++) assert.equal((r.bytes[i >> 3]! >> (7 - (i & 7))) & 1, 1, `/${p} bit ${i}`);
  }
});

test('ipRangeContains: family, prefix order and leading bits', () => {
  const yes: Array<[string, string]> = [
    ['198.51.100.0/24', '198.51.100.7'],
    ['198.51.0.0/16', '198.51.100.0/24'],
    ['0.0.0.0/0', '1.2.3.4'],
    ['1.2.3.4', '1.2.3.4'],
    ['10.0.0.0/7', '11.255.0.0/16'],
    ['2001:db8::/32', '2001:db8:1::5'],
    ['::/0', '::1'],
    ['198.51.100.0/24', '::ffff:198.51.100.9'],
  ];
  const no: Array<[string, string]> = [
    ['198.51.100.7', '198.51.100.0/24'],
    ['198.51.100.0/24', '198.51.101.7'],
    ['10.0.0.0/8', '11.0.0.1'],
    ['0.0.0.0/0', '::1'],
    ['::/0', '1.2.3.4'],
    ['2001:db8::/32', '2001:db9::1'],
    ['10.0.0.0/7', '12.0.0.0/8'],
  ];
  for (const [o, i] of yes) assert.equal(ipRangeContains(parsed(o), parsed(i)), true, `${o} ⊇ ${i}`);
  for (const [o, i] of no) assert.equal(ipRangeContains(parsed(o), parsed(i)), false, `${o} ⊉ ${i}`);
});

test('ipRangeToBytes16: IPv4 as IPv4-mapped, IPv6 copied', () => {
  assert.deepEqual([...ipRangeToBytes16(parsed('1.2.3.4'))], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
  const r6 = parsed('2001:db8::1');
  const b = ipRangeToBytes16(r6);
  assert.deepEqual(b, r6.bytes);
  assert.notEqual(b, r6.bytes, 'a copy, not the same array');
});
