// Profile evaluation: decision fields, OR-ed filters, first-match-wins, notifications, on_success / on_error,
// duration_expr with the LAPI helpers, dropped unparsable values, alerts that carry their own decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProfiles, defaultProfiles, parseProfiles, ProfileError } from '../../src/profiles/index.js';
import { exprHooks } from '../../src/expr/index.js';
import { engineAlert, memoryContext, H, STOP_AT, STOP_MS } from './helpers.js';

const NOW = STOP_MS + 5000;
const ctx = () => memoryContext(NOW);
const profiles = (yaml: string) => parseProfiles(yaml, 'test-profiles.yaml');

test('stock profiles ban an Ip remediation alert for 4h anchored at stop_at', () => {
  const out = applyProfiles(defaultProfiles(), engineAlert(), ctx());
  assert.deepEqual(out.matched, ['default_ip_remediation']);
  assert.deepEqual(out.decisions, [
    {
      until: STOP_MS + 4 * H,
      scenario: 'crowdsecurity/ssh-bf',
      type: 'ban',
      scope: 'Ip',
      value: '198.18.0.67',
      origin: 'crowdsec',
      simulated: false,
    },
  ]);
  assert.deepEqual(out.notifications, []);
  assert.equal(out.dropped, 0);
});

test('stock profiles ban a Range alert, ignore non-remediation and other scopes', () => {
  const range = applyProfiles(
    defaultProfiles(),
    engineAlert({}, { scope: 'Range', value: '2001:db8:85a3::/64' }),
    ctx(),
  );
  assert.deepEqual(range.matched, ['default_range_remediation']);
  assert.equal(range.decisions[0]!.scope, 'Range');
  assert.equal(range.decisions[0]!.value, '2001:db8:85a3::/64');
  assert.equal(range.decisions[0]!.until, STOP_MS + 4 * H);
  const noRem = applyProfiles(defaultProfiles(), engineAlert({ remediation: false }), ctx());
  assert.deepEqual(noRem, { decisions: [], durations: [], notifications: [], matched: [], dropped: 0, warnings: [] });
  const country = applyProfiles(defaultProfiles(), engineAlert({}, { scope: 'Country', value: 'FR' }), ctx());
  assert.deepEqual(country.decisions, []);
});

test('until keeps an offset stop_at and falls back to now when stop_at does not parse', () => {
  const off = applyProfiles(defaultProfiles(), engineAlert({ stopAt: '2026-11-25T07:23:45+02:00' }), ctx());
  assert.equal(off.decisions[0]!.until, Date.UTC(2026, 10, 25, 5, 23, 45) + 4 * H);
  const bad = applyProfiles(defaultProfiles(), engineAlert({ stopAt: 'yesterday' }), ctx());
  assert.equal(bad.decisions[0]!.until, NOW + 4 * H);
});

test("profile scope, origin, several decisions; the stored simulated flag is the alert's", () => {
  const p = profiles(`name: multi
filters: ['Alert.GetScope() == "Ip"']
decisions:
  - type: captcha
    duration: 30m
    origin: tuning
  - type: ban
    duration: 1d
    scope: range
    simulated: true
  - type: throttle
    duration: 10s
    scope: Username
`);
  const out = applyProfiles(p, engineAlert(), ctx());
  assert.deepEqual(
    out.decisions.map((d) => [d.type, d.scope, d.value, d.origin, d.simulated, d.until - STOP_MS]),
    [
      ['captcha', 'Ip', '198.18.0.67', 'crowdsec/tuning', false, 30 * 60_000],
      ['ban', 'Range', '198.18.0.67', 'crowdsec', false, 24 * H], // stored flag = the alert's (CrowdSec)
      ['throttle', 'Username', '198.18.0.67', 'crowdsec', false, 10_000],
    ],
  );
  const sim = applyProfiles(p, engineAlert({ simulated: true }), ctx());
  assert.ok(sim.decisions.every((d) => d.simulated));
});

test('each true filter appends the decision set once; a false filter adds nothing', () => {
  const p = profiles(`name: twice
filters:
  - Alert.GetScenario() == "crowdsecurity/ssh-bf"
  - Alert.GetEventsCount() > 100
  - Alert.Remediation
decisions: [{type: ban, duration: 1h}]
`);
  const out = applyProfiles(p, engineAlert(), ctx());
  assert.equal(out.decisions.length, 2);
  assert.deepEqual(out.decisions[0], out.decisions[1]);
  assert.deepEqual(out.matched, ['twice']);
});

test('first matching profile wins the decisions; notifications collected; on_success break stops', () => {
  const p = profiles(`name: notify_only
filters: ['true']
notifications: [slack]
on_success: continue
---
name: first_with_decisions
filters: ['Alert.GetScope() == "Ip"']
decisions: [{type: captcha, duration: 2h}]
notifications: [http]
---
name: second_with_decisions
filters: ['Alert.GetValue() == "198.18.0.67"']
decisions: [{type: ban, duration: 8h}]
notifications: [email, slack]
on_success: break
---
name: never_reached
filters: ['true']
notifications: [never]
`);
  const out = applyProfiles(p, engineAlert(), ctx());
  assert.deepEqual(out.matched, ['notify_only', 'first_with_decisions', 'second_with_decisions']);
  assert.deepEqual(
    out.decisions.map((d) => d.type),
    ['captcha'],
  );
  assert.deepEqual(out.notifications, ['slack', 'http', 'email', 'slack']);
});

test('on_failure is accepted and has no effect', () => {
  const p = profiles(`name: fails
filters: ['false']
on_failure: break
decisions: [{type: captcha, duration: 2h}]
---
name: next
filters: ['true']
decisions: [{type: ban, duration: 1h}]
`);
  assert.deepEqual(applyProfiles(p, engineAlert(), ctx()).matched, ['next']);
});

test('expressions see the alert: Source fields, Events GetMeta, Meta, Labels, Kind, Capacity', () => {
  const p = profiles(`name: env
filters:
  - >-
    Alert.Source.IP == "198.18.0.67" && Alert.Source.Cn == "FR" && Alert.Source.AsNumber == "64500"
    && Alert.Events[0].GetMeta("target_user") == "root" && Alert.GetMeta("target_user") == '["root"]'
    && any(Alert.Events, {.GetMeta("source_ip") == Alert.GetValue()}) && Alert.Kind == "crowdsec"
    && Alert.Capacity == 5 && Alert.Leakspeed == "10s" && Alert.MachineID == "probehost"
    && Alert.StopAt == "${STOP_AT}" && len(Alert.Decisions) == 0 && Alert.Source.Latitude > 48.0
decisions: [{type: ban, duration: 1h}]
`);
  const out = applyProfiles(p, engineAlert({}, { cn: 'FR', asNumber: '64500', latitude: 48.85 }), ctx());
  assert.deepEqual(out.matched, ['env']);
  const miss = applyProfiles(p, engineAlert({}, { cn: 'DE', asNumber: '64500', latitude: 48.85 }), ctx());
  assert.deepEqual(miss.matched, []);
});

test('duration_expr with GetDecisionsCount escalates through the context', () => {
  const p = profiles(`name: escalate
filters: ['Alert.Remediation == true && Alert.GetScope() == "Ip"']
decisions: [{type: ban, duration: 4h}]
duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
on_success: break
`);
  const first = memoryContext(NOW);
  assert.equal(applyProfiles(p, engineAlert(), first).decisions[0]!.until, STOP_MS + 4 * H);
  assert.deepEqual(first.calls, [{ value: '198.18.0.67', activeOnly: false, since: undefined }]);
  const third = memoryContext(NOW, [
    { value: '198.18.0.67', createdAt: NOW - 10 * H, until: NOW - 6 * H },
    { value: '198.18.0.67', createdAt: NOW - H, until: NOW + 3 * H },
    { value: '203.0.113.9', createdAt: NOW - H, until: NOW + 3 * H },
  ]);
  assert.equal(applyProfiles(p, engineAlert(), third).decisions[0]!.until, STOP_MS + 12 * H);
});

test('GetDecisionsSinceCount, GetActiveDecisionsCount and GetActiveDecisionsTimeLeft use the context', () => {
  const stored = [
    { value: '198.18.0.67', createdAt: NOW - 30 * H, until: NOW - 26 * H },
    { value: '198.18.0.67', createdAt: NOW - 2 * H, until: NOW + 2 * H },
    { value: '198.18.0.67', createdAt: NOW - 3 * H, until: NOW + 90 * 60_000 },
  ];
  const p = profiles(`name: helpers
filters:
  - GetDecisionsSinceCount(Alert.GetValue(), "1d") == 2 && GetDecisionsSinceCount(Alert.GetValue(), "150m") == 1
  - GetActiveDecisionsCount(Alert.GetValue()) == 2 && GetDecisionsCount(Alert.GetValue()) == 3
decisions: [{type: ban, duration: 1h}]
duration_expr: GetActiveDecisionsTimeLeft(Alert.GetValue()) + duration("1h")
`);
  const c = memoryContext(NOW, stored);
  const out = applyProfiles(p, engineAlert(), c);
  assert.equal(out.decisions.length, 2);
  assert.equal(out.decisions[0]!.until, STOP_MS + 3 * H);
  assert.ok(c.calls.some((x) => x.since === NOW - 24 * H));
  assert.ok(c.calls.some((x) => x.activeOnly));
});

test('the helper hooks are restored after evaluation', () => {
  const before = exprHooks.decisionsCount;
  const mine = (v: string) => v.length;
  exprHooks.decisionsCount = mine;
  try {
    applyProfiles(defaultProfiles(), engineAlert(), ctx());
    assert.equal(exprHooks.decisionsCount, mine);
  } finally {
    if (before) exprHooks.decisionsCount = before;
    else delete exprHooks.decisionsCount;
  }
  applyProfiles(defaultProfiles(), engineAlert(), ctx());
  assert.equal(exprHooks.decisionsSinceCount, undefined);
});

test('duration_expr failures keep the static duration; no valid duration at all is an error', () => {
  const p = profiles(`name: bad_expr
filters: ['true']
decisions: [{type: ban, duration: 2h}]
duration_expr: "'forever'"
`);
  const out = applyProfiles(p, engineAlert(), ctx());
  assert.equal(out.decisions[0]!.until, STOP_MS + 2 * H);
  assert.match(out.warnings.join('\n'), /forever/);
  const days = applyProfiles(
    profiles(`name: days
filters: ['true']
decisions: [{type: ban, duration: 2h}]
duration_expr: "Sprintf('%dd', 3)"
`),
    engineAlert(),
    ctx(),
  );
  assert.equal(days.decisions[0]!.until, STOP_MS + 72 * H);
  const none = profiles(`name: no_duration
filters: ['true']
decisions: [{type: ban}]
duration_expr: Alert.Source.Cn
on_error: ignore
`);
  assert.throws(
    () => applyProfiles(none, engineAlert(), ctx()),
    (e: Error) => {
      assert.ok(e instanceof ProfileError);
      assert.match(e.message, /test-profiles\.yaml/);
      assert.match(e.message, /profile "no_duration"/);
      assert.match(e.message, /decisions\[0\]\.duration/);
      return true;
    },
  );
});

test('an Ip/Range value that does not parse drops that decision only', () => {
  const p = profiles(`name: mixed
filters: ['true']
decisions:
  - {type: ban, duration: 1h}
  - {type: ban, duration: 1h, scope: Username}
`);
  const out = applyProfiles(p, engineAlert({}, { value: 'not-an-ip' }), ctx());
  assert.equal(out.dropped, 1);
  assert.deepEqual(
    out.decisions.map((d) => d.scope),
    ['Username'],
  );
  const range = applyProfiles(defaultProfiles(), engineAlert({}, { scope: 'Range', value: '10.0.0.0/33' }), ctx());
  assert.equal(range.dropped, 1);
  assert.deepEqual(range.decisions, []);
  assert.deepEqual(range.matched, ['default_range_remediation']);
});

const ERRORING = (onError: string) => `name: broken
filters:
  - Alert.Remediation
  - Alert.Events[5].GetMeta("x") == "y"
decisions: [{type: captcha, duration: 1h}]
notifications: [from_broken]
${onError ? `on_error: ${onError}` : ''}
---
name: fallback
filters: ['true']
decisions: [{type: ban, duration: 4h}]
notifications: [from_fallback]
`;

test('a filter error without on_error is a ProfileError naming file, profile and filter', () => {
  assert.throws(
    () => applyProfiles(profiles(ERRORING('')), engineAlert(), ctx()),
    (e: Error) => {
      assert.ok(e instanceof ProfileError);
      assert.match(
        e.message,
        /^test-profiles\.yaml: profile "broken" \(document 1\): field "filters\[1\]": runtime error in expression .*index out of range/,
      );
      assert.equal(e.message.split('test-profiles.yaml').length, 2, 'file named once');
      return true;
    },
  );
});

test('on_error: apply / continue / break / ignore', () => {
  // apply: the profile counts as matched but its decisions are lost (CrowdSec), so the next profile's win
  const apply = applyProfiles(profiles(ERRORING('apply')), engineAlert(), ctx());
  assert.deepEqual(apply.matched, ['broken', 'fallback']);
  assert.deepEqual(apply.notifications, ['from_broken', 'from_fallback']);
  assert.deepEqual(
    apply.decisions.map((d) => d.type),
    ['ban'],
  );
  // continue / ignore: the error is logged; the filter that was already true still counts as a match
  for (const mode of ['continue', 'ignore']) {
    const out = applyProfiles(profiles(ERRORING(mode)), engineAlert(), ctx());
    assert.deepEqual(out.matched, ['broken', 'fallback'], mode);
    assert.deepEqual(
      out.decisions.map((d) => d.type),
      ['ban'],
      mode,
    );
    assert.match(out.warnings.join('\n'), /filters\[1\]/);
  }
  // break: stops after this profile (it had matched through its first filter)
  const brk = applyProfiles(profiles(ERRORING('break')), engineAlert(), ctx());
  assert.deepEqual(brk.matched, ['broken']);
  assert.deepEqual(brk.decisions, []);
  // an error before any true filter: not matched, evaluation goes on
  const early = applyProfiles(profiles(ERRORING('break')), engineAlert({ remediation: false }), ctx());
  assert.deepEqual(early.matched, ['fallback']);
});

test('a non-bool filter result is an error governed by on_error', () => {
  const text = (onError: string) =>
    `name: stringy\nfilters: ['Alert.GetScope()']\ndecisions: [{type: ban, duration: 1h}]\n${onError}`;
  assert.throws(
    () => applyProfiles(profiles(text('')), engineAlert(), ctx()),
    (e: Error) => {
      assert.ok(e instanceof ProfileError);
      assert.match(e.message, /profile "stringy"/);
      assert.match(e.message, /filters\[0\]/);
      assert.match(e.message, /expected a boolean/);
      return true;
    },
  );
  const ignored = applyProfiles(profiles(text('on_error: continue')), engineAlert(), ctx());
  assert.deepEqual(ignored.decisions, []);
  assert.deepEqual(ignored.matched, []);
});

test('an alert that carries decisions only collects notifications; errors skip the profile', () => {
  const own = engineAlert(
    {
      decisions: [
        {
          until: STOP_MS + 120_000,
          scenario: 'probe test',
          type: 'ban',
          scope: 'Ip',
          value: '192.0.2.10',
          origin: 'cscli',
          simulated: false,
        },
      ],
    },
    { value: '192.0.2.10', ip: '192.0.2.10' },
  );
  const p = profiles(`name: erroring
filters: ['Alert.Events[3].GetMeta("x") == ""']
notifications: [never]
---
name: sees_decisions
filters: ['len(Alert.Decisions) == 1 && Alert.Decisions[0].Origin == "cscli" && Alert.Decisions[0].Duration == "2m0s"']
decisions: [{type: captcha, duration: 1h}]
notifications: [manual]
on_success: break
---
name: after_break
filters: ['true']
notifications: [never]
`);
  const out = applyProfiles(p, own, ctx());
  assert.deepEqual(out.decisions, []);
  assert.deepEqual(out.matched, ['sees_decisions']);
  assert.deepEqual(out.notifications, ['manual']);
});

test('debug: true records each filter result', () => {
  const out = applyProfiles(profiles('name: dbg\ndebug: true\nfilters: ["false", "true"]\n'), engineAlert(), ctx());
  assert.equal(out.warnings.filter((w) => w.includes('debug')).length, 2);
});
