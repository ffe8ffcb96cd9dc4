// profiles.yaml loading: every key, validation errors naming file / profile / field, the embedded defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseProfiles,
  loadProfilesFile,
  defaultProfiles,
  applyProfiles,
  ProfileError,
  DEFAULT_PROFILES_YAML,
} from '../../src/profiles/index.js';
import { engineAlert, memoryContext, STOP_MS, H } from './helpers.js';

function expectError(text: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseProfiles(text, '/etc/picket/profiles.yaml'),
    (e: Error) => {
      assert.ok(e instanceof ProfileError, `not a ProfileError: ${e}`);
      assert.match(e.message, /\/etc\/picket\/profiles\.yaml/);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    },
  );
}

test('every profile key is read', () => {
  const [p, q] = parseProfiles(
    `name: all_keys
debug: true
filters:
  - Alert.Remediation == true
  - Alert.GetScope() == "Range"
decisions:
  - type: captcha
    duration: 90m
    scope: ip
    origin: custom
    simulated: true
  - type: ban
    duration: 2d
duration_expr: Sprintf('%dh', 4)
notifications: [slack_default, http_default]
on_success: continue
on_failure: apply
on_error: ignore
---
name: minimal
filters: ['true']
decisions: [{type: ban, duration: 1h}]
`,
    'p.yaml',
  );
  assert.equal(p!.name, 'all_keys');
  assert.equal(p!.document, 1);
  assert.equal(p!.debug, true);
  assert.equal(p!.filters.length, 2);
  assert.equal(p!.filters[1]!.source, 'Alert.GetScope() == "Range"');
  assert.deepEqual(p!.decisions[0], {
    type: 'captcha',
    duration: '90m',
    durationMs: 90 * 60_000,
    scope: 'Ip',
    origin: 'custom',
    simulated: true,
  });
  assert.deepEqual(p!.decisions[1], {
    type: 'ban',
    duration: '2d',
    durationMs: 48 * 3_600_000,
    scope: null,
    origin: null,
    simulated: false,
  });
  assert.ok(p!.durationExpr);
  assert.deepEqual(p!.notifications, ['slack_default', 'http_default']);
  assert.equal(p!.onSuccess, 'continue');
  assert.equal(p!.onFailure, 'apply');
  assert.equal(p!.onError, 'ignore');
  assert.equal(q!.name, 'minimal');
  assert.equal(q!.document, 2);
  assert.equal(q!.onSuccess, null);
  assert.equal(q!.onError, null);
  assert.equal(q!.durationExpr, null);
  assert.deepEqual(q!.notifications, []);
});

test('the embedded defaults are CrowdSec stock profiles', () => {
  const d = defaultProfiles();
  assert.deepEqual(
    d.map((p) => p.name),
    ['default_ip_remediation', 'default_range_remediation'],
  );
  for (const p of d) {
    assert.equal(p.onSuccess, 'break');
    assert.equal(p.decisions.length, 1);
    assert.equal(p.decisions[0]!.type, 'ban');
    assert.equal(p.decisions[0]!.durationMs, 4 * 3_600_000);
  }
  assert.match(DEFAULT_PROFILES_YAML, /Alert\.Remediation == true && Alert\.GetScope\(\) == "Ip"/);
});

test('loadProfilesFile reads a file; a missing file names it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-profiles-'));
  try {
    const f = path.join(dir, 'profiles.yaml');
    fs.writeFileSync(f, DEFAULT_PROFILES_YAML);
    assert.equal(loadProfilesFile(f).length, 2);
    assert.throws(
      () => loadProfilesFile(path.join(dir, 'nope.yaml')),
      (e: Error) => e instanceof ProfileError && e.message.includes('nope.yaml'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed YAML names file, document and line', () => {
  expectError(
    'name: a\nfilters: ["true"]\ndecisions: [{type: ban, duration: 1h}]\n---\nname: b\nfilters: [oops\n',
    /profile "b" \(document 2\)/,
    /malformed YAML/,
    /line 7/,
  );
  expectError('name: a\n  bad: indent\n: x\n', /document 1/, /malformed YAML/, /line \d/);
});

test('unknown key names file, profile and key with its line', () => {
  expectError(
    'name: first\nfilters: ["true"]\n---\nname: second\nfilter: ["true"]\n',
    /profile "second" \(document 2\)/,
    /field "filter"/,
    /unknown field/,
    /line 5/,
  );
  expectError(
    'name: d\nfilters: ["true"]\ndecisions:\n  - type: ban\n    duration: 1h\n    durration: 2h\n',
    /profile "d"/,
    /decisions\[0\]\.durration/,
    /line 6/,
  );
});

test('unknown function / unknown field in a filter is a load error', () => {
  expectError('name: f\nfilters:\n  - NoSuchHelper(Alert.GetValue())\n', /profile "f"/, /filters\[0\]/, /NoSuchHelper/);
  expectError('name: g\nfilters:\n  - Alert.NoField == 1\n', /profile "g"/, /filters\[0\]/);
  expectError('name: h\nduration_expr: Nope()\ndecisions: [{type: ban}]\n', /profile "h"/, /duration_expr/);
});

test('bad values are load errors naming the field', () => {
  expectError('name: a\non_success: stop\n', /field "on_success"/, /stop/);
  expectError('name: a\non_failure: ignore\n', /field "on_failure"/);
  expectError('name: a\non_error: panic\n', /field "on_error"/);
  expectError(
    'name: a\ndecisions:\n  - type: ban\n    duration: 4 hours\n',
    /decisions\[0\]\.duration/,
    /invalid duration/,
  );
  expectError('name: a\ndecisions:\n  - type: ban\n', /decisions\[0\]\.duration/, /missing duration/);
  expectError('name: a\ndecisions:\n  - duration: 1h\n', /decisions\[0\]\.type/);
  expectError('name: a\ndecisions: ban\n', /field "decisions"/);
  expectError('name: a\nfilters: "true"\n', /field "filters"/);
  expectError('name: a\ndebug: maybe\n', /field "debug"/);
  expectError('- just\n- a list\n', /document 1/, /expected a mapping/);
  expectError('# nothing\n', /no profile/);
});

test('a profile with duration_expr may omit the static duration', () => {
  const [p] = parseProfiles(
    'name: e\nfilters: ["true"]\nduration_expr: "\'1h\'"\ndecisions: [{type: ban}]\n',
    'e.yaml',
  );
  assert.equal(p!.decisions[0]!.durationMs, null);
});

test('the stock CrowdSec profiles.yaml, as shipped (comments included), loads and bans for 4h', () => {
  const stock = `name: default_ip_remediation
#debug: true
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
 - type: ban
   duration: 4h
#duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
# notifications:
#   - slack_default  # Set the webhook in /etc/crowdsec/notifications/slack.yaml before enabling this.
#   - splunk_default # Set the splunk url and token in /etc/crowdsec/notifications/splunk.yaml before enabling this.
#   - http_default   # Set the required http parameters in /etc/crowdsec/notifications/http.yaml before enabling this.
#   - email_default  # Set the required email parameters in /etc/crowdsec/notifications/email.yaml before enabling this.
on_success: break
---
name: default_range_remediation
#debug: true
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Range"
decisions:
 - type: ban
   duration: 4h
#duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
# notifications:
#   - slack_default  # Set the webhook in /etc/crowdsec/notifications/slack.yaml before enabling this.
on_success: break
`;
  const profiles = parseProfiles(stock, '/etc/crowdsec/profiles.yaml');
  const ip = applyProfiles(profiles, engineAlert(), memoryContext(STOP_MS));
  assert.deepEqual(
    ip.decisions.map((d) => [d.type, d.scope, d.value, d.until - STOP_MS, d.origin]),
    [['ban', 'Ip', '198.18.0.67', 4 * H, 'crowdsec']],
  );
  const range = applyProfiles(
    profiles,
    engineAlert({}, { scope: 'Range', value: '198.18.0.0/16' }),
    memoryContext(STOP_MS),
  );
  assert.deepEqual(
    range.decisions.map((d) => [d.type, d.scope, d.value, d.until - STOP_MS]),
    [['ban', 'Range', '198.18.0.0/16', 4 * H]],
  );
  assert.deepEqual(range.matched, ['default_range_remediation']);
});

test('YAML anchors and merge keys (accepted by Go YAML decoders) work', () => {
  const [a, b] = parseProfiles(
    `name: a
filters: &f ['Alert.Remediation == true']
decisions:
  - &ban {type: ban, duration: 2h}
---
name: b
filters: ['true']
decisions:
  - <<: {type: captcha, duration: 1h}
    duration: 3h
`,
    'anchors.yaml',
  );
  assert.equal(a!.decisions[0]!.durationMs, 2 * 3_600_000);
  assert.deepEqual([b!.decisions[0]!.type, b!.decisions[0]!.durationMs], ['captcha', 3 * 3_600_000]);
});
