// Protobuf bodies of the bouncer routes (src/api/protobuf*.ts): round trip of every field and scope, inheritance
// of the grouped string fields, byte-for-byte agreement with protobufjs on the published .proto, empty lists,
// sizes against the JSON body, corrupt buffers (protobufjs's reader errors and the decoder's own checks, each a
// ProtobufDecodeError naming the body).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  encodeStream,
  encodeDecisions,
  decodeStream,
  decodeDecisions,
  ProtobufDecodeError,
  PROTOBUF_CONTENT_TYPE,
  type WireDecision,
} from '../../src/api/protobuf.js';
import { streamJSON } from '../../src/lapi/decision-json.js';
import { parseIpOrRange } from '../../src/store/iprange.js';
import type { DecisionRecord } from '../../src/store/records.js';

const NOW = Date.UTC(2026, 10, 25, 5, 0, 0);
const root = protobuf.loadSync(fileURLToPath(new URL('../../../src/api/proto/decisions.proto', import.meta.url)));
const StreamType = root.lookupType('picket.v1.DecisionStream');
const ListType = root.lookupType('picket.v1.DecisionList');

let nextId = 1;
function rec(over: Partial<DecisionRecord> & { value: string }): DecisionRecord {
  const scope = over.scope ?? 'Ip';
  const id = over.id ?? nextId++;
  return {
    id,
    uuid: `0b7e3f52-9a4c-4d1e-8f20-${id.toString(16).padStart(12, '0')}`,
    alertId: 1,
    createdAt: NOW - 1000,
    until: NOW + 4 * 3600_000,
    scenario: 'crowdsecurity/ssh-bf',
    type: 'ban',
    origin: 'crowdsec',
    simulated: false,
    range: scope === 'Ip' || scope === 'Range' ? parseIpOrRange(over.value) : null,
    ...over,
    scope,
  };
}

function expected(d: DecisionRecord, value = d.value): WireDecision {
  return {
    id: d.id,
    uuid: d.uuid,
    origin: d.origin,
    type: d.type,
    scope: d.scope,
    value,
    scenario: d.scenario,
    durationSeconds: Math.round((d.until - NOW) / 1000),
  };
}

const byId = (a: WireDecision, b: WireDecision) => a.id - b.id;

test('content type', () => {
  assert.equal(PROTOBUF_CONTENT_TYPE, 'application/x-protobuf');
});

test('round trip of every field and scope in both stream lists', () => {
  const fresh = [
    rec({ value: '192.0.2.1' }),
    rec({ value: '2001:db8::1', scenario: 'crowdsecurity/http-probing' }),
    rec({ value: '198.51.100.0/24', scope: 'Range', type: 'captcha', origin: 'cscli' }),
    rec({ value: '2001:db8:85a3::/64', scope: 'Range', origin: 'crowdsec/escalation' }),
    rec({ value: '203.0.113.7/32', scope: 'Range' }),
    rec({ value: 'FR', scope: 'Country', origin: 'lists', scenario: 'geoblock' }),
    rec({ value: '64500', scope: 'AS', until: NOW + 86400_000 * 365 }),
    rec({ value: 'josé@exämple', scope: 'Username', type: 'throttle', scenario: 'sénario ✓' }),
    rec({ value: 'x'.repeat(300), scope: 'Custom', scenario: 's'.repeat(200) }),
    rec({ value: '192.0.2.99', id: 2 ** 45 + 3, uuid: 'NOT-A-CANONICAL-UUID' }),
    rec({ value: '192.0.2.98', uuid: '0B7E3F52-9A4C-4D1E-8F20-00000000000A' }),
    rec({ value: '192.0.2.97', uuid: '' }),
    rec({ value: '192.0.2.96', until: NOW + 1499 }),
    rec({ value: '192.0.2.95', until: NOW + 400, scenario: '' }),
  ];
  const gone = [
    rec({ value: '192.0.2.10', until: NOW - 2000 }),
    rec({ value: '10.0.0.0/8', scope: 'Range', until: NOW - 1_000_000 }),
    rec({ value: 'DE', scope: 'Country', until: NOW }),
  ];
  const out = decodeStream(encodeStream({ new: fresh, deleted: gone }, NOW));
  assert.deepEqual(
    out.new.sort(byId),
    fresh.map((d) => expected(d, d.value === '203.0.113.7/32' ? '203.0.113.7/32' : d.value)).sort(byId),
  );
  assert.deepEqual(out.deleted.sort(byId), gone.map((d) => expected(d)).sort(byId));
  assert.equal(out.deleted.find((d) => d.value === '192.0.2.10')!.durationSeconds, -2);
  assert.equal(out.new.find((d) => d.value === '192.0.2.96')!.durationSeconds, 1);
  assert.equal(out.new.find((d) => d.value === '192.0.2.95')!.durationSeconds, 0);
});

test('addresses travel as bytes and come back in canonical text', () => {
  const list = [
    rec({ value: '::ffff:192.0.2.1' }),
    rec({ value: '2001:0db8:0000:0000:0000:0000:0000:0001' }),
    rec({ value: '198.51.100.77/24', scope: 'Range' }),
    rec({ value: '192.0.2.0/24' }), // an Ip decision holding a CIDR keeps its prefix
  ];
  assert.deepEqual(
    decodeDecisions(encodeDecisions(list, NOW))
      .sort(byId)
      .map((d) => d.value),
    ['192.0.2.1', '2001:db8::1', '198.51.100.0/24', '192.0.2.0/24'],
  );
  const raw = ListType.toObject(ListType.decode(encodeDecisions([list[0]!], NOW)), { bytes: Array }) as {
    decisions: { ip: number[] }[];
  };
  assert.deepEqual(raw.decisions[0]!.ip, [192, 0, 2, 1]);
});

test('string fields are sent once per group and inherited by the decoder, whatever the interleaving', () => {
  const list: DecisionRecord[] = [];
  for (let i = 0; i < 40; i++) {
    list.push(rec({ value: `192.0.2.${i}`, scenario: `scenario/${i % 3}`, type: i % 5 === 0 ? 'captcha' : 'ban' }));
  }
  const buf = encodeDecisions(list, NOW);
  const decoded = decodeDecisions(buf);
  assert.deepEqual(
    [...decoded].sort(byId),
    list.map((d) => expected(d)),
  );
  // decisions of one group are adjacent and in id order
  const seen = new Set<string>();
  let prev = '';
  for (const d of decoded) {
    const key = `${d.scenario}|${d.type}`;
    if (key !== prev) {
      assert.ok(!seen.has(key), `group ${key} split`);
      seen.add(key);
      prev = key;
    }
  }
  const raw = ListType.decode(buf) as unknown as { decisions: { scenario?: string | null }[] };
  assert.equal(raw.decisions.filter((d) => d.scenario != null).length, seen.size);
});

test('bytes agree with protobufjs encoding the same message from the published .proto', () => {
  const list = [
    rec({ value: '192.0.2.1', id: 7 }),
    rec({ value: '198.51.100.0/24', scope: 'Range', id: 8 }),
    rec({ value: 'FR', scope: 'Country', id: 9, until: NOW - 5000, uuid: 'custom-id' }),
  ];
  const mine = encodeStream({ new: list.slice(0, 2), deleted: list.slice(2) }, NOW);
  const theirs = StreamType.encode({
    new: [
      {
        id: 7,
        uuidRaw: Buffer.from('0b7e3f529a4c4d1e8f20000000000007', 'hex'),
        origin: 'crowdsec',
        type: 'ban',
        scope: 'Ip',
        scenario: 'crowdsecurity/ssh-bf',
        ip: Buffer.from([192, 0, 2, 1]),
        durationSeconds: 14400,
      },
      {
        id: 8,
        uuidRaw: Buffer.from('0b7e3f529a4c4d1e8f20000000000008', 'hex'),
        scope: 'Range',
        ip: Buffer.from([198, 51, 100, 0]),
        prefixLen: 24,
        durationSeconds: 14400,
      },
    ],
    deleted: [
      {
        id: 9,
        uuid: 'custom-id',
        origin: 'crowdsec',
        type: 'ban',
        scope: 'Country',
        scenario: 'crowdsecurity/ssh-bf',
        value: 'FR',
        durationSeconds: -5,
      },
    ],
  }).finish();
  assert.deepEqual(Buffer.from(mine), Buffer.from(theirs));
});

test('empty lists: empty body, decoded as empty lists', () => {
  const s = encodeStream({ new: [], deleted: [] }, NOW);
  assert.equal(s.length, 0);
  assert.deepEqual(decodeStream(s), { new: [], deleted: [] });
  assert.equal(encodeDecisions([], NOW).length, 0);
  assert.deepEqual(decodeDecisions(new Uint8Array(0)), []);
  const onlyDeleted = decodeStream(
    encodeStream({ new: [], deleted: [rec({ value: '192.0.2.1', until: NOW - 1000 })] }, NOW),
  );
  assert.equal(onlyDeleted.new.length, 0);
  assert.equal(onlyDeleted.deleted[0]!.durationSeconds, -1);
});

test('a realistic list is at least 4x smaller than the JSON body', () => {
  const scenarios = [
    'crowdsecurity/ssh-bf',
    'crowdsecurity/http-probing',
    'crowdsecurity/http-crawl-non_statics',
    'crowdsecurity/ssh-slow-bf',
  ];
  const list: DecisionRecord[] = [];
  for (let i = 0; i < 2000; i++) {
    const kind = i % 100;
    const value =
      kind < 5
        ? `2001:db8:${i.toString(16)}::${(i * 7).toString(16)}`
        : kind < 8
          ? `10.${i % 256}.${(i >> 8) % 256}.0/24`
          : `${1 + (i % 223)}.${(i * 31) % 256}.${(i * 17) % 256}.${(i * 13) % 256}`;
    list.push(
      rec({
        value,
        scope: kind >= 5 && kind < 8 ? 'Range' : 'Ip',
        scenario: scenarios[(i * 7919) % 4]!,
        until: NOW + ((i * 7727) % 14_400_000),
      }),
    );
  }
  const pb = encodeStream({ new: list, deleted: [] }, NOW).length;
  const json = Buffer.byteLength(streamJSON({ new: list, deleted: [] }, NOW));
  assert.ok(json / pb >= 4, `json ${json} / protobuf ${pb} = ${(json / pb).toFixed(2)}`);
});

test('corrupt buffers give a ProtobufDecodeError, not a crash', () => {
  const good = encodeStream(
    { new: [rec({ value: '192.0.2.1' }), rec({ value: 'FR', scope: 'Country' })], deleted: [] },
    NOW,
  );
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated', good.subarray(0, good.length - 3), /index out of range/],
    ['bad wire type', Uint8Array.from([0x0f, 0x01]), /invalid wire type 7/],
    ['length past the end', Uint8Array.from([0x0a, 0x7f, 0x08]), /index out of range/],
    ['truncated varint', Uint8Array.from([0x0a, 0x03, 0x08, 0xff, 0xff]), /index out of range/],
    [
      'wrong wire type for a known field',
      StreamType.encode({ new: [{ id: 1 }] })
        .finish()
        .map((x, i) => (i === 2 ? 0x0a : x)),
      /index out of range/,
    ],
    [
      'ip of 5 bytes',
      StreamType.encode({
        new: [{ id: 1, origin: 'o', type: 't', scope: 'Ip', scenario: 's', ip: Buffer.from([1, 2, 3, 4, 5]) }],
      }).finish(),
      /new\[0\]: ip of 5 bytes/,
    ],
    [
      'prefix too long',
      StreamType.encode({
        new: [
          {
            id: 1,
            origin: 'o',
            type: 't',
            scope: 'Range',
            scenario: 's',
            ip: Buffer.from([1, 2, 3, 4]),
            prefixLen: 33,
          },
        ],
      }).finish(),
      /prefix_len 33/,
    ],
    [
      'first decision without origin',
      StreamType.encode({ deleted: [{ id: 1, type: 't', scope: 'Ip', scenario: 's', value: 'x' }] }).finish(),
      /deleted\[0\].*origin\/type\/scope\/scenario missing/,
    ],
    [
      'uuid_raw of 3 bytes',
      StreamType.encode({
        new: [
          { id: 1, uuidRaw: Buffer.from([1, 2, 3]), origin: 'o', type: 't', scope: 'X', scenario: 's', value: 'v' },
        ],
      }).finish(),
      /uuid_raw of 3 bytes/,
    ],
  ];
  for (const [name, buf, re] of cases) {
    assert.throws(
      () => decodeStream(buf),
      (e: Error) => {
        assert.ok(e instanceof ProtobufDecodeError, `${name}: ${e}`);
        assert.match(e.message, /^invalid protobuf DecisionStream body \(\d+ bytes\): /, name);
        assert.match(e.message, re, name);
        return true;
      },
      name,
    );
  }
  assert.throws(() => decodeDecisions(Uint8Array.from([0x0a, 0x05, 0x08])), ProtobufDecodeError);
  // random garbage never escapes as anything but a ProtobufDecodeError (or decodes to something)
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed & 0xff;
  };
  for (let k = 0; k < 300; k++) {
    const junk = Uint8Array.from({ length: 1 + (k % 40) }, rnd);
    try {
      decodeStream(junk);
    } catch (e) {
      assert.ok(e instanceof ProtobufDecodeError, String(e));
    }
  }
});

test('absurd expiry times are clamped, never loop or throw', () => {
  const list = [
    rec({ value: '192.0.2.1', until: Number.POSITIVE_INFINITY }),
    rec({ value: '192.0.2.2', until: Number.NEGATIVE_INFINITY }),
    rec({ value: '192.0.2.3', until: Number.NaN }),
    rec({ value: '192.0.2.4', until: NOW + 2 ** 63 }),
    rec({ value: '192.0.2.5', until: NOW + 2 ** 60 }),
  ];
  const out = decodeDecisions(encodeDecisions(list, NOW))
    .sort(byId)
    .map((d) => d.durationSeconds);
  assert.deepEqual(out, [2 ** 52 - 1, -(2 ** 52 - 1), 0, 2 ** 52 - 1, Math.round(2 ** 60 / 1000)]);
});

test('unknown fields of every wire type are skipped, at top level and inside a decision', () => {
  const DecisionType = root.lookupType('picket.v1.Decision');
  const body = Buffer.concat([
    Buffer.from(
      DecisionType.encode({
        id: 5,
        origin: 'o',
        type: 'ban',
        scope: 'Ip',
        scenario: 's',
        ip: Buffer.from([192, 0, 2, 5]),
        durationSeconds: -3,
      }).finish(),
    ),
    Buffer.from([0xa2, 0x01, 0x02, 0x68, 0x69]), // field 20, length-delimited "hi" (two-byte key)
    Buffer.from([0xad, 0x01, 1, 2, 3, 4]), // field 21, fixed32
    Buffer.from([0xb0, 0x01, 0x96, 0x01]), // field 22, varint 150
  ]);
  const msg = Buffer.concat([
    Buffer.from([0x78, 0x05]), // field 15, varint
    Buffer.from([0x71, 1, 2, 3, 4, 5, 6, 7, 8]), // field 14, fixed64
    Buffer.from([0x12, body.length]),
    body, // deleted[0]
    Buffer.from([0x6a, 0x00]), // field 13, empty length-delimited
  ]);
  assert.deepEqual(decodeStream(msg), {
    new: [],
    deleted: [
      {
        id: 5,
        uuid: '',
        origin: 'o',
        type: 'ban',
        scope: 'Ip',
        value: '192.0.2.5',
        scenario: 's',
        durationSeconds: -3,
      },
    ],
  });
  assert.throws(() => decodeStream(Buffer.from([0x7b, 0x00])), ProtobufDecodeError); // an unterminated group
});

test('bit flips and truncations of a valid body decode or fail with a ProtobufDecodeError', () => {
  const list = [
    rec({ value: '192.0.2.1' }),
    rec({ value: '2001:db8::/48', scope: 'Range' }),
    rec({ value: 'FR', scope: 'Country', uuid: 'x' }),
  ];
  const good = encodeStream({ new: list, deleted: list.slice(1) }, NOW);
  let seed = 7;
  const rnd = (m: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % m;
  };
  let failures = 0;
  for (let k = 0; k < 2000; k++) {
    const bad = Buffer.from(good);
    for (let f = 1 + rnd(3); f > 0; f--) bad[rnd(bad.length)] ^= 1 << rnd(8);
    const cut = k % 4 === 0 ? bad.subarray(0, rnd(bad.length)) : bad;
    try {
      const out = decodeStream(cut);
      for (const d of [...out.new, ...out.deleted]) assert.equal(typeof d.value, 'string');
    } catch (e) {
      assert.ok(e instanceof ProtobufDecodeError, String(e));
      failures++;
    }
  }
  assert.ok(failures > 0, 'some corruptions must be detected');
});
