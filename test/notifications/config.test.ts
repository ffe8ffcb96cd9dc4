// Notification configs in CrowdSec's format: CrowdSec's shipped files (placeholders and all) load unchanged
// from a folder, several YAML documents per file, defaults (max_retry 1, timeout 5s), `${VAR}` / `$VAR`
// substitution as csstring.StrictExpand (defined variables only, `format` untouched), unknown keys and bad
// values refused with the file, line and key, and profiles naming an undefined notification refused at start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadNotificationDir,
  parseNotificationFile,
  strictExpand,
  Notifier,
  NotifyError,
} from '../../src/notifications/index.js';
import { parseProfiles } from '../../src/profiles/index.js';
import { parseConfig } from '../../src/config/config.js';
import { FIXTURES } from './helpers.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-notif-'));
}

test("CrowdSec's shipped notification folder loads unchanged", () => {
  const dir = tmp();
  try {
    for (const f of fs.readdirSync(path.join(FIXTURES, 'crowdsec')))
      fs.copyFileSync(path.join(FIXTURES, 'crowdsec', f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'README.txt'), 'not yaml: ignored');
    const all = loadNotificationDir(dir);
    assert.deepEqual([...all.keys()].sort(), [
      'email_default',
      'file_default',
      'http_default',
      'slack_default',
      'splunk_default',
    ]);
    const email = all.get('email_default')!;
    assert.equal(email.type, 'email');
    assert.equal(email.timeoutMs, 20_000);
    assert.equal(email.maxRetry, 1);
    assert.equal(email.options.encryption_type, 'ssltls');
    const http = all.get('http_default')!;
    assert.equal(http.timeoutMs, 5000);
    assert.equal(http.groupWaitMs, 0);
    assert.equal(http.format, '{{.|toJson}}\n');
    assert.deepEqual(all.get('file_default')!.options.rotate, {
      enabled: true,
      max_size: 500,
      max_files: 5,
      max_age: 5,
      compress: true,
    });
    // a profile may name them; the placeholders (<HTTP_url>) are refused only when the notification is used
    const n = new Notifier(all);
    assert.throws(
      () => n.prepare([{ name: 'p', document: 1, where: 'profiles.yaml', notifications: ['http_default'] }]),
      /crowdsec\/http\.yaml:21: url: '<HTTP_url>' is not a URL|http\.yaml:21: url: '<HTTP_url>' is not a URL/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('several documents, grouping keys, durations', () => {
  const text = [
    'type: http',
    'name: a',
    'url: http://127.0.0.1:1/',
    'group_wait: 30s',
    'group_threshold: 10',
    'max_retry: 3',
    'timeout: 1m',
    '---',
    '# only comments',
    '---',
    'type: slack',
    'name: b',
    'webhook: http://127.0.0.1:1/hook',
    'channel: "#sec"',
    'icon_emoji: ":shield:"',
    '',
  ].join('\n');
  const [a, b] = parseNotificationFile(text, 'n.yaml');
  assert.equal(parseNotificationFile(text, 'n.yaml').length, 2);
  assert.equal(a!.groupWaitMs, 30_000);
  assert.equal(a!.groupThreshold, 10);
  assert.equal(a!.maxRetry, 3);
  assert.equal(a!.timeoutMs, 60_000);
  assert.equal(b!.type, 'slack');
  assert.equal(b!.options.channel, '#sec');
});

test('${VAR} and $VAR are replaced when defined (StrictExpand), never in format', () => {
  process.env.PICKET_NOTIF_TOKEN = 's3cr3t';
  process.env.PICKET_NOTIF_PORT = '2525';
  delete process.env.PICKET_NOTIF_UNSET;
  try {
    assert.equal(
      strictExpand('a ${PICKET_NOTIF_TOKEN} $PICKET_NOTIF_TOKEN ${PICKET_NOTIF_UNSET} $PICKET_NOTIF_UNSET $'),
      'a s3cr3t s3cr3t ${PICKET_NOTIF_UNSET} $PICKET_NOTIF_UNSET $',
    );
    const [c] = parseNotificationFile(
      [
        'type: email',
        'name: e',
        'smtp_host: mail.example',
        'smtp_port: ${PICKET_NOTIF_PORT}',
        'smtp_password: ${PICKET_NOTIF_TOKEN}',
        'receiver_emails: [ops@example.org]',
        'format: "{{ $x := 1 }}$PICKET_NOTIF_TOKEN"',
      ].join('\n'),
      'e.yaml',
    );
    assert.equal(c!.options.smtp_password, 's3cr3t');
    assert.equal(c!.options.smtp_port, '2525');
    assert.equal(c!.format, '{{ $x := 1 }}$PICKET_NOTIF_TOKEN');
  } finally {
    delete process.env.PICKET_NOTIF_TOKEN;
    delete process.env.PICKET_NOTIF_PORT;
  }
});

test('unknown keys, unknown types, bad values and duplicates are refused with file, line and key', () => {
  const bad: [string, RegExp][] = [
    ['type: http\nname: x\nurl: http://h/\nheaderz: {}\n', /^x\.yaml:4: headerz: unknown key for a http notification/],
    [
      'type: slack\nname: x\nwebhook: http://h/\nurl: http://h/\n',
      /^x\.yaml:4: url: unknown key for a slack notification/,
    ],
    ['name: x\nurl: http://h/\n', /^x\.yaml:1: type: missing required field 'type'/],
    ['type: pager\nname: x\n', /^x\.yaml:1: type: unknown notification type 'pager'/],
    ['type: http\nname: x\n\ngroup_wait: soon\n', /^x\.yaml:4: group_wait: 'soon' is not a duration/],
    ['type: http\nname: x\nmax_retry: -1\n', /^x\.yaml:3: max_retry: expected a whole number/],
    ['type: http\nname: x\nlog_level: loud\n', /^x\.yaml:3: log_level: unknown level 'loud'/],
    [
      'type: http\nname: x\n---\ntype: http\nname: y\n  bad: indent\n',
      /^x\.yaml:5: not valid YAML: Nested mappings are not allowed in compact mappings$/,
    ],
    ['- a list\n', /^x\.yaml:1: expected a mapping/],
  ];
  for (const [text, re] of bad)
    assert.throws(
      () => parseNotificationFile(text, 'x.yaml'),
      (e: Error) => re.test(e.message),
      text,
    );
  const dir = tmp();
  try {
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'type: http\nname: same\nurl: http://h/\n');
    fs.writeFileSync(path.join(dir, 'b.yml'), '\ntype: slack\nname: same\nwebhook: http://h/\n');
    assert.throws(() => loadNotificationDir(dir), /b\.yml:2: notification 'same' is already defined at .*a\.yaml:1/);
    fs.rmSync(path.join(dir, 'b.yml'));
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      'type: file\nname: f\nlog_path: /tmp/x\nrotate: {enabled: true, max_sise: 1}\n',
    );
    const n = Notifier.load(dir);
    assert.throws(() => n.channel('f'), /c\.yaml:4: rotate\.max_sise: unknown key/);
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'type: http\nname: f\nurl: http://h/\nformat: "{{ range . }}"\n');
    assert.throws(() => Notifier.load(dir).channel('f'), /c\.yaml:4: format: template: f:1:\d+: unexpected EOF/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(loadNotificationDir(path.join(os.tmpdir(), 'picket-no-such-dir')).size, 0);
});

test('a profile naming an undefined notification is refused with the profile file and the name', () => {
  const profiles = parseProfiles(
    [
      'name: default_ip_remediation',
      'filters:',
      ' - Alert.Remediation == true && Alert.GetScope() == "Ip"',
      'decisions:',
      ' - type: ban',
      '   duration: 4h',
      'notifications:',
      ' - slack_default',
      ' - typo_default',
      'on_success: break',
      '',
    ].join('\n'),
    '/etc/picket/profiles.yaml',
  );
  const n = new Notifier(
    parseNotificationFile('type: slack\nname: slack_default\nwebhook: http://127.0.0.1:9/\n', 's.yaml').reduce(
      (m, c) => m.set(c.name, c),
      new Map(),
    ),
  );
  assert.throws(
    () => n.prepare(profiles),
    (e: unknown) =>
      e instanceof NotifyError &&
      e.code === 'NOTIFY_UNKNOWN_NAME' &&
      e.message ===
        '/etc/picket/profiles.yaml: profile "default_ip_remediation" (document 1): notifications: \'typo_default\' is not defined in notification_dir (defined: slack_default)',
  );
});

test('notification_dir in the config file', () => {
  assert.equal(
    parseConfig('notification_dir: /etc/crowdsec/notifications/\n', 'c.yaml').notificationDir,
    '/etc/crowdsec/notifications/',
  );
  assert.throws(
    () => parseConfig('notification_dir: [a]\n', 'c.yaml'),
    /c\.yaml:1: notification_dir: expected a non-empty string/,
  );
});

test("Debian's profiles.yaml with its notifications uncommented, over CrowdSec's shipped folder", (t) => {
  const debian = '/etc/crowdsec/profiles.yaml';
  if (!fs.existsSync(debian)) {
    t.diagnostic(`${debian} is missing (Debian's crowdsec package not installed): skipped`);
    return;
  }
  const text = fs.readFileSync(debian, 'utf8');
  assert.deepEqual(
    parseProfiles(text, debian).flatMap((p) => p.notifications),
    [],
  );
  // what a user does to enable them: uncomment the list
  const enabled = text.replace(/^# notifications:/m, 'notifications:').replace(/^# {3}- /gm, '  - ');
  const profiles = parseProfiles(enabled, debian);
  assert.deepEqual(profiles[0]!.notifications, ['slack_default', 'splunk_default', 'http_default', 'email_default']);
  const all = loadNotificationDir(path.join(FIXTURES, 'crowdsec'));
  // the shipped placeholders must be filled in first: the first one met is named with its file and line
  assert.throws(
    () => new Notifier(all).prepare(profiles),
    (e: Error) =>
      /crowdsec\/slack\.yaml:\d+: webhook: '<WEBHOOK_URL>' is not a URL \(notification 'slack_default'\)/.test(
        e.message,
      ),
  );
});
