// Unit tests of the LAPI wire formats (Go durations, RFC 3339), the query-string parser and filters, the
// router's 404/405 rules and the password hashing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatGoSeconds,
  formatRemaining,
  goTimeString,
  parseWireDuration,
  parseRfc3339,
  roundToSeconds,
  formatRfc3339,
} from '../../src/api/wire-time.js';
import {
  alertQuery,
  decisionQuery,
  deleteDecisionFilter,
  FilterError,
  ipOnlyQuery,
  parseQuery,
} from '../../src/lapi/query.js';
import { normaliseScope } from '../../src/api/scope.js';
import { Router } from '../../src/lapi/router.js';
import { hashPassword, verifyPassword } from '../../src/lapi/password.js';
import { splitUserAgent } from '../../src/lapi/auth-apikey.js';

test('Go duration strings: whole seconds', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [59, '59s'],
    [60, '1m0s'],
    [14400, '4h0m0s'],
    [14399, '3h59m59s'],
    [-2, '-2s'],
    [604800, '168h0m0s'],
    [-3661, '-1h1m1s'],
  ];
  for (const [s, text] of cases) assert.equal(formatGoSeconds(s), text);
  assert.equal(roundToSeconds(1500), 2);
  assert.equal(roundToSeconds(-1500), -2);
  assert.equal(roundToSeconds(-400), 0);
  assert.equal(formatRemaining(10_000, 12_400), '-2s');
  assert.equal(formatRemaining(117_371, 0), '1m57s');
});

test('Go duration parsing with fractions, units and the d suffix', () => {
  const cases: Array<[string, number | null]> = [
    ['4h', 14_400_000],
    ['1m57.371386998s', 117_371.386998],
    ['-662.426848ms', -662.426848],
    ['7d', 604_800_000],
    ['1d12h', 129_600_000],
    ['0', 0],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['500us', 0.5],
    ['2µs', 0.002],
    ['', null],
    ['forever', null],
    ['1h30', null],
    ['h', null],
    ['-', null],
    ['1.5.3s', null],
  ];
  for (const [text, ms] of cases) {
    const got = parseWireDuration(text);
    if (ms === null) assert.equal(got, null, text);
    else assert.ok(got !== null && Math.abs(got - ms) < 1e-6, `${text}: ${got}`);
  }
});

test('RFC 3339 parse/format, Go time string', () => {
  assert.equal(parseRfc3339('2026-11-25T05:14:39Z'), Date.UTC(2026, 10, 25, 5, 14, 39));
  assert.equal(parseRfc3339('2026-11-25T05:23:45.629312797Z'), Date.UTC(2026, 10, 25, 5, 23, 45, 629));
  assert.equal(parseRfc3339('2026-11-25T07:14:39+02:00'), Date.UTC(2026, 10, 25, 5, 14, 39));
  assert.ok(Number.isNaN(parseRfc3339('yesterday')));
  assert.ok(Number.isNaN(parseRfc3339('2026-13-25T05:14:39Z')));
  assert.equal(formatRfc3339(Date.UTC(2026, 10, 25, 5, 14, 39, 999)), '2026-11-25T05:14:39Z');
  assert.equal(goTimeString('2026-11-25T05:16:51Z'), '2026-11-25 05:16:51 +0000 UTC');
  assert.equal(goTimeString('2026-11-25T05:16:51.500Z'), '2026-11-25 05:16:51.5 +0000 UTC');
});

test('query strings: decoding, empty query, + as space, bad escapes dropped', () => {
  assert.deepEqual(parseQuery(''), []);
  assert.deepEqual(parseQuery('ip=2001%3Adb8%3A%3A77'), ['ip', '2001:db8::77']);
  assert.deepEqual(parseQuery('a=x+y&b&&c=%zz&d='), ['a', 'x y', 'b', '', 'd', '']);
  assert.equal(normaliseScope('IP'), 'Ip');
  assert.equal(normaliseScope('as'), 'AS');
  assert.equal(normaliseScope('username'), 'username');
});

test('ip-only live queries: the general path filter, else null (other parameters, +, bad escapes)', () => {
  for (const qs of ['ip=192.0.2.1', 'ip=2001%3Adb8%3A%3A77', 'ip=2001:db8::77', 'ip=10.0.0.0%2F8', 'ip=::ffff:1.2.3.4'])
    assert.deepEqual(ipOnlyQuery(qs), decisionQuery(parseQuery(qs), false).filter.range, qs);
  for (const qs of [
    '',
    'ip',
    'ip=1.2.3.4&limit=1',
    'scope=ip&ip=1.2.3.4',
    'ip=1.2.3.4+',
    'ip=%zz',
    'ipx=1.2.3.4',
    'ip=a=b',
  ])
    assert.equal(ipOnlyQuery(qs), null, qs);
  assert.throws(() => ipOnlyQuery('ip=bogus'), FilterError);
  assert.throws(() => decisionQuery(parseQuery('ip=bogus'), false), FilterError);
});

test('decision filters: stream default scopes, startup literal, unknown ignored; delete rules', () => {
  const s = decisionQuery(
    parseQuery('startup=true&scopes=ip,Range,username&origins=crowdsec,cscli&scenarios_containing=SSH&foo=1'),
    true,
  );
  assert.equal(s.startup, true);
  assert.deepEqual(s.filter.scopes, ['Ip', 'Range', 'username']);
  assert.deepEqual(s.filter.origins, ['crowdsec', 'cscli']);
  assert.deepEqual(s.filter.scenariosContaining, ['ssh']);
  assert.deepEqual(decisionQuery([], true).filter.scopes, ['Ip', 'Range']);
  assert.equal(decisionQuery(parseQuery('startup=1'), true).startup, false);
  assert.equal(decisionQuery([], false).filter.scopes, undefined);
  assert.equal(decisionQuery(parseQuery('simulated=yes'), false).filter.simulated, true);
  assert.equal(decisionQuery(parseQuery('dedup=false'), true).dedup, false);
  assert.throws(() => decisionQuery(parseQuery('ip=bogus'), false), FilterError);
  assert.throws(() => decisionQuery(parseQuery('contains=maybe'), false), FilterError);
  const d = deleteDecisionFilter(parseQuery('uuid=a&uuid=b&scopes=ip&origin=cscli'));
  assert.deepEqual(d.uuids, ['a', 'b']);
  assert.deepEqual(d.scopes, ['Ip']);
  assert.deepEqual(d.origins, ['cscli']);
  assert.throws(() => deleteDecisionFilter(parseQuery('scope=ip')), /'scope' doesn't exist: invalid filter/);
});

test('alert filters: durations relative to now, origin implies include_capi, unknown parameter message', () => {
  const now = 1_000_000_000;
  const q = alertQuery(
    parseQuery(
      'since=1h&until=30m&created_before=1d&has_active_decision=true&include_capi=false&origin=cscli&limit=0&sort=asc&with_decisions=false',
    ),
    now,
  );
  assert.equal(q.filter.since, now - 3_600_000);
  assert.equal(q.filter.until, now - 1_800_000);
  assert.equal(q.filter.createdBefore, now - 86_400_000);
  assert.equal(q.filter.hasActiveDecision, true);
  assert.equal(q.filter.includeCapi, true);
  assert.equal(q.filter.limit, 0);
  assert.equal(q.filter.sort, 'ASC');
  assert.equal(q.withDecisions, false);
  assert.throws(() => alertQuery(parseQuery('x=y'), now), {
    message: "filter parameter 'x' is unknown (=y): invalid filter",
  });
});

test('router: static, parametric (unescaped), 404 and 405 per method tree', () => {
  const r = new Router();
  const h = () => undefined;
  r.add('GET', '/v1/decisions', 'apikey', h);
  r.add('GET', '/v1/decisions/stream', 'apikey', h);
  r.add('DELETE', '/v1/decisions/:decision_id', 'jwt', h);
  const m = r.match('DELETE', '/v1/decisions/4');
  assert.ok('handler' in m && m.param === '4' && m.handler.route === '/v1/decisions/:decision_id');
  const s = r.match('DELETE', '/v1/decisions/stream');
  assert.ok('handler' in s && s.param === 'stream', 'like gin: per-method trees');
  const e = r.match('DELETE', '/v1/decisions/a%20b');
  assert.ok('handler' in e && e.param === 'a b');
  assert.deepEqual(r.match('PUT', '/v1/decisions'), { status: 405 });
  assert.deepEqual(r.match('GET', '/v1/nothing'), { status: 404 });
  assert.deepEqual(r.match('GET', '/v1/decisions/4'), { status: 405 });
  assert.deepEqual(r.match('HEAD', '/v1/decisions'), { status: 405 });
});

test('passwords: scrypt hash verifies, wrong password and foreign hashes do not', async () => {
  const h = await hashPassword('s3cret');
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('s3cret', h), true);
  assert.equal(await verifyPassword('S3cret', h), false);
  assert.equal(await verifyPassword('s3cret', '$2a$10$abcdefghijklmnopqrstuv'), false);
});

test('User-Agent split: exactly two parts else N/A', () => {
  assert.deepEqual(splitUserAgent('crowdsec-firewall-bouncer/-'), ['crowdsec-firewall-bouncer', '-']);
  assert.deepEqual(splitUserAgent('weird'), ['weird', 'N/A']);
  assert.deepEqual(splitUserAgent('a/b/c'), ['a/b/c', 'N/A']);
});

test('hand-written decision JSON parses back with escaped strings; stream lists are [] when empty', async () => {
  const { decisionJSON, decisionsArrayBytes, decisionsArrayJSON, streamJSON } =
    await import('../../src/lapi/decision-json.js');
  const d = {
    id: 7,
    uuid: 'u-1',
    alertId: 1,
    createdAt: 0,
    until: 14_400_000,
    scenario: 'manual \'ban\' from "x"\n\u2028é',
    type: 'ban',
    scope: 'Ip',
    value: '192.0.2.1',
    origin: 'cscli',
    simulated: false,
    range: null,
  };
  assert.deepEqual(JSON.parse(decisionJSON(d, 0)), {
    duration: '4h0m0s',
    id: 7,
    origin: 'cscli',
    scenario: d.scenario,
    scope: 'Ip',
    type: 'ban',
    uuid: 'u-1',
    value: '192.0.2.1',
  });
  assert.equal(decisionsArrayJSON([], 0, 'null'), 'null');
  // Content-Length from the cache: UTF-8 bytes, not characters, when a field is not ASCII
  const ascii = { ...d, id: 8, scenario: 'crowdsecurity/ssh-bf' };
  for (const list of [[], [ascii], [d], [ascii, d], [ascii, ascii]]) {
    const body = decisionsArrayJSON(list, 1000, 'null');
    assert.equal(decisionsArrayBytes(list, body), Buffer.byteLength(body));
  }
  assert.notEqual(Buffer.byteLength(decisionsArrayJSON([d], 0, 'null')), decisionsArrayJSON([d], 0, 'null').length);
  assert.equal((JSON.parse(decisionsArrayJSON([d, d], 0, 'null')) as unknown[]).length, 2);
  assert.equal(streamJSON({ new: [], deleted: [] }, 0), '{"new":[],"deleted":[]}');
  assert.equal(
    (JSON.parse(streamJSON({ new: [], deleted: [d] }, 14_402_000)) as { deleted: Array<{ duration: string }> })
      .deleted[0].duration,
    '-2s',
  );
});
