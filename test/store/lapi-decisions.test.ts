import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, alert, decision, ip, values, ids, T0, HOUR, MIN } from './lapi-fixtures.js';

test('live query: Ip/Range containment, contains=false, families never mix, no de-duplication', async () => {
  const env = await openEnv();
  try {
    const u = T0 + HOUR;
    await env.lapi.addAlerts([
      alert([decision('203.0.113.7', u)]),
      alert([decision('203.0.113.7', u + HOUR, { origin: 'cscli' })]),
      alert([decision('198.51.100.0/24', u)]),
      alert([decision('2001:db8::1', u)]),
      alert([decision('2001:db8::/32', u)]),
      alert([decision('FR', u, { scope: 'Country' })]),
    ]);
    const q = (f: Parameters<typeof env.lapi.queryDecisions>[0]) => values(env.lapi.queryDecisions(f, T0));
    assert.deepEqual(q({ range: ip('203.0.113.7') }), ['203.0.113.7', '203.0.113.7'], 'both bans, no dedup');
    assert.deepEqual(q({ range: ip('198.51.100.7') }), ['198.51.100.0/24'], 'a range covers an ip');
    assert.deepEqual(q({ range: ip('198.51.0.0/16') }), [], 'a /24 does not contain a /16');
    assert.deepEqual(q({ range: ip('198.51.0.0/16'), contains: false }), ['198.51.100.0/24']);
    assert.deepEqual(q({ range: ip('2001:db8::1') }), ['2001:db8::1', '2001:db8::/32']);
    assert.deepEqual(q({ range: ip('::ffff:203.0.113.7') }), ['203.0.113.7', '203.0.113.7'], 'v4-mapped is v4');
    assert.deepEqual(
      q({ range: ip('::/0'), contains: false }),
      ['2001:db8::1', '2001:db8::/32'],
      'an IPv6 query never matches IPv4',
    );
    assert.deepEqual(q({ range: ip('0.0.0.0/0'), contains: false }), ['203.0.113.7', '203.0.113.7', '198.51.100.0/24']);
    assert.deepEqual(q({ value: '198.51.100.7' }), [], 'value is an exact string match');
    assert.deepEqual(q({ value: '198.51.100.0/24' }), ['198.51.100.0/24']);
    assert.deepEqual(q({ scopes: ['Country'] }), ['FR']);
    assert.deepEqual(q({ scopes: ['Ip', 'Country'] }).sort(), ['2001:db8::1', '203.0.113.7', '203.0.113.7', 'FR']);
    assert.deepEqual(q({ range: ip('203.0.113.7'), origins: ['cscli'] }), ['203.0.113.7']);
    const all = env.lapi.queryDecisions({}, T0);
    assert.equal(all.length, 6);
    assert.deepEqual(
      ids(all),
      [...ids(all)].sort((a, b) => a - b),
      'id ascending',
    );
  } finally {
    await env.cleanup();
  }
});

test('live query: scenarios_containing / not_containing (any word, case-insensitive), type, scenario, uuid, simulated', async () => {
  const env = await openEnv();
  try {
    const u = T0 + HOUR;
    await env.lapi.addAlerts([
      alert([decision('192.0.2.1', u, { scenario: 'crowdsecurity/SSH-bf' })]),
      alert([decision('192.0.2.2', u, { scenario: 'crowdsecurity/http-probing', type: 'captcha' })]),
      alert([decision('192.0.2.3', u, { scenario: 'me/nginx-bf' })]),
      alert([decision('192.0.2.4', u, { scenario: 'crowdsecurity/ssh-slow-bf', simulated: true })]),
    ]);
    const q = (f: Parameters<typeof env.lapi.queryDecisions>[0]) => values(env.lapi.queryDecisions(f, T0));
    assert.deepEqual(q({ scenariosContaining: ['ssh'] }), ['192.0.2.1']);
    assert.deepEqual(q({ scenariosContaining: ['nope', 'HTTP'.toLowerCase()] }), ['192.0.2.2']);
    assert.deepEqual(q({ scenariosNotContaining: ['ssh', 'nginx'] }), ['192.0.2.2']);
    assert.deepEqual(q({ scenariosContaining: ['bf'], scenariosNotContaining: ['nginx'] }), ['192.0.2.1']);
    assert.deepEqual(q({ type: 'captcha' }), ['192.0.2.2']);
    assert.deepEqual(q({ scenario: 'me/nginx-bf' }), ['192.0.2.3']);
    assert.deepEqual(q({}), ['192.0.2.1', '192.0.2.2', '192.0.2.3'], 'simulated excluded by default');
    assert.deepEqual(q({ simulated: true }), ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
    assert.deepEqual(q({ range: ip('192.0.2.4') }), []);
    const d3 = env.lapi.queryDecisions({ value: '192.0.2.3' }, T0)[0];
    assert.deepEqual(q({ uuids: [d3.uuid] }), ['192.0.2.3']);
    assert.match(d3.uuid, /^[0-9a-f-]{36}$/);
  } finally {
    await env.cleanup();
  }
});

test('live query: until >= now is active, earlier is not', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([alert([decision('192.0.2.9', T0 + MIN)])]);
    assert.equal(env.lapi.queryDecisions({ range: ip('192.0.2.9') }, T0 + MIN).length, 1);
    assert.equal(env.lapi.queryDecisions({ range: ip('192.0.2.9') }, T0 + MIN + 1).length, 0);
  } finally {
    await env.cleanup();
  }
});

test('soft delete: matching active decisions get until := now; count; no filter = all; row kept', async () => {
  const env = await openEnv();
  try {
    const u = T0 + HOUR;
    await env.lapi.addAlerts([
      alert([decision('192.0.2.10', u), decision('192.0.2.10', u, { type: 'captcha' })]),
      alert([decision('192.0.2.11', u)]),
      alert([decision('192.0.2.12', T0 - MIN)]),
      alert([decision('10.0.0.0/8', u)]),
    ]);
    const now = T0 + 5 * MIN;
    assert.equal(await env.lapi.expireDecisions({ range: ip('192.0.2.10'), type: 'ban' }, now), 1);
    assert.deepEqual(
      env.lapi.queryDecisions({ range: ip('192.0.2.10') }, now + 1).map((d) => d.type),
      ['captcha'],
    );
    const expired = env.lapi.queryDecisions({ range: ip('192.0.2.10') }, now);
    assert.equal(expired.find((d) => d.type === 'ban')!.until, now, 'until := now');
    assert.equal(env.lapi.getDecision(1)!.until, now, 'the row is kept');
    assert.equal(await env.lapi.expireDecisions({ range: ip('10.1.2.3') }, now), 1, 'a range containing the ip');
    assert.equal(await env.lapi.expireDecisions({}, now), 2, 'no filter: every active one (the captcha and .11)');
    assert.equal(env.lapi.queryDecisions({}, now + 1).length, 0);
    assert.equal(await env.lapi.expireDecisions({}, now), 0, 'nothing active left');
    assert.equal(await env.lapi.expireDecision(3, now), false, 'already expired');
  } finally {
    await env.cleanup();
  }
});

test('expireDecision by id; unknown id is false; counts', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.20', T0 + HOUR), decision('192.0.2.21', T0 + HOUR, { simulated: true })]),
    ]);
    assert.equal(env.lapi.activeDecisionCount(T0), 1, 'simulated not counted');
    assert.equal(env.lapi.countDecisions('192.0.2.20', { activeOnly: true, now: T0 }), 1);
    assert.equal(await env.lapi.expireDecision(99, T0), false);
    assert.equal(await env.lapi.expireDecision(1, T0 + MIN), true);
    assert.equal(env.lapi.activeDecisionCount(T0 + MIN), 0);
    assert.equal(env.lapi.countDecisions('192.0.2.20', { activeOnly: true, now: T0 + MIN }), 0);
    assert.equal(
      env.lapi.countDecisions('192.0.2.20', { activeOnly: false, now: T0 + MIN }),
      1,
      'expired still counted',
    );
    assert.equal(
      env.lapi.countDecisions('192.0.2.20', { activeOnly: false, since: T0 + 1, now: T0 + MIN }),
      0,
      'created before since',
    );
    assert.equal(
      await env.lapi.expireDecisions({ value: '192.0.2.21' }, T0 + MIN),
      0,
      'simulated skipped unless asked',
    );
    assert.equal(await env.lapi.expireDecisions({ value: '192.0.2.21', simulated: true }, T0 + MIN), 1);
  } finally {
    await env.cleanup();
  }
});
