// End to end: a real Local API (LMDB in a temp dir, HTTP on 127.0.0.1) whose profile names a notification; an
// alert POSTed by a watcher reaches an HTTP receiver with the profile's decision; the LAPI keeps answering while
// the receiver hangs; an alert that comes with its decisions (cscli) is notified too. Then `picket run
// --no-agent` with a config file (profiles_path, notification_dir), `picket notifications list|inspect|test|
// reinject`, and the start-up refusal of a profile naming an undefined notification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Notifier, parseNotificationFile } from '../../src/notifications/index.js';
import { parseProfiles } from '../../src/profiles/index.js';
import { WatcherClient } from '../../src/client/index.js';
import { readCredentials } from '../../src/config/credentials.js';
import { addMachine, agentAlert, bearer, login, manualAlert, request, startEnv } from '../lapi/helpers.js';
import { picket, startPicket, tempDir } from '../cli/helpers.js';
import { metricValue, startReceiver } from './helpers.js';

const PROFILES = (notif: string) =>
  [
    'name: default_ip_remediation',
    'filters:',
    ' - Alert.Remediation == true && Alert.GetScope() == "Ip"',
    'decisions:',
    ' - type: ban',
    '   duration: 4h',
    'notifications:',
    ` - ${notif}`,
    'on_success: break',
    '',
  ].join('\n');

test('an alert POSTed by a watcher reaches the HTTP receiver; the LAPI answers while the receiver hangs', async () => {
  const r = await startReceiver();
  const profiles = parseProfiles(PROFILES('http_default'), 'profiles.yaml');
  const notifier = new Notifier(
    new Map(
      parseNotificationFile(
        [
          'type: http',
          'name: http_default',
          `url: ${r.url}/hook`,
          'timeout: 60s',
          'headers: {Content-Type: application/json}',
          'format: |',
          '  {{.|toJson}}',
        ].join('\n'),
        'http.yaml',
      ).map((c) => [c.name, c]),
    ),
  );
  notifier.prepare(profiles);
  const env = await startEnv({ profiles, notify: notifier });
  try {
    await addMachine(env, 'web-1', 'secret-password');
    const token = await login(env, 'web-1', 'secret-password');
    const post = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: bearer(token),
      body: JSON.stringify([agentAlert('192.0.2.7')]),
    });
    assert.equal(post.status, 201, post.body);
    const [got] = await r.waitFor(1);
    assert.equal(got!.url, '/hook');
    const alerts = JSON.parse(got!.body) as Array<
      Record<string, unknown> & { decisions: Array<Record<string, unknown>>; source: Record<string, unknown> }
    >;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.scenario, 'crowdsecurity/ssh-bf');
    assert.equal(alerts[0]!.machine_id, 'web-1');
    assert.equal(alerts[0]!.id, Number((JSON.parse(post.body) as string[])[0]));
    assert.equal(alerts[0]!.source.ip, '192.0.2.7');
    assert.deepEqual(
      alerts[0]!.decisions.map((d) => [d.type, d.value, d.duration, d.origin, d.scope]),
      [['ban', '192.0.2.7', '4h', 'crowdsec', 'Ip']],
    );

    // the receiver now hangs: the next alerts are stored and the LAPI answers, the deliveries wait
    r.respond.push('hang', 'hang', 'hang');
    const p2 = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: bearer(token),
      body: JSON.stringify([agentAlert('192.0.2.8')]),
    });
    assert.equal(p2.status, 201);
    await r.waitFor(2);
    const p3 = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: bearer(token),
      body: JSON.stringify([{ ...manualAlert('192.0.2.9', '1h'), remediation: true }]),
    });
    assert.equal(p3.status, 201, 'answered while the delivery of the previous alert hangs');
    const list = await request(env.url, '/v1/alerts', { headers: bearer(token) });
    assert.equal((JSON.parse(list.body) as unknown[]).length, 3);
    assert.equal(r.requests.length, 2, 'the second delivery is still hanging, the third waits behind it');
    await r.close(); // the hanging delivery fails, the queued one (cscli's alert, with its own decision) is tried
    await notifier.drain();
    assert.equal(
      await metricValue(notifier.registry, 'picket_notifications_sent_total', 'name="http_default",type="http"'),
      1,
    );
    assert.equal(
      await metricValue(notifier.registry, 'picket_notifications_failed_total', 'name="http_default",type="http"'),
      2,
    );
  } finally {
    await r.close();
    await env.cleanup();
  }
});

test('picket run with notification_dir; notifications list, inspect, test, reinject; an undefined name is refused', async () => {
  const r = await startReceiver();
  const dir = tempDir('picket-notif-cli-');
  const notifDir = path.join(dir, 'notifications');
  fs.mkdirSync(notifDir);
  fs.writeFileSync(
    path.join(notifDir, 'http.yaml'),
    [
      'type: http',
      'name: http_default',
      `url: ${r.url}/hook`,
      'format: |',
      '  {{ range . }}{{ .Scenario }} {{ .Source.IP }} {{ range .Decisions }}{{ .Type }} {{ .Duration }}{{ end }}{{ end }}',
      '---',
      'type: slack',
      'name: slack_unused',
      'webhook: <WEBHOOK_URL>',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'profiles.yaml'), PROFILES('http_default'));
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, `profiles_path: ${path.join(dir, 'profiles.yaml')}\nnotification_dir: ${notifDir}\n`);
  const lapi = await startPicket(['--no-agent', '--metrics', 'off', '--config', cfg], dir);
  try {
    const creds = readCredentials(path.join(lapi.data, 'local_api_credentials.yaml'));
    const w = new WatcherClient({
      url: lapi.url,
      machineId: creds.login,
      password: creds.password,
      scenarios: ['crowdsecurity/ssh-bf'],
    });
    const ids = await w.pushAlerts([agentAlert('198.51.100.4', new Date().toISOString()) as never]);
    await w.close();
    const [got] = await r.waitFor(1);
    assert.equal(got!.body, 'crowdsecurity/ssh-bf 198.51.100.4 ban 4h\n');

    const common = ['--config', cfg, '--data', lapi.data];
    const list = await picket(['notifications', 'list', '-o', 'json', ...common]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<Record<string, unknown>>).map((n) => [n.name, n.type, n.active, n.profiles]),
      [
        ['http_default', 'http', true, ['default_ip_remediation']],
        ['slack_unused', 'slack', false, []],
      ],
    );
    const human = await picket(['notifications', 'list', ...common]);
    assert.match(human.stdout, /│ ✔️ +│ http_default +│ http +│ default_ip_remediation +│/);
    const inspect = await picket(['notifications', 'inspect', 'http_default', ...common]);
    assert.match(inspect.stdout, / - Type: http\n/);
    assert.match(inspect.stdout, / - Timeout: 5s\n/);

    const t = await picket(['notifications', 'test', 'http_default', ...common]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal((await r.waitFor(2))[1]!.body, 'test alert 10.10.10.10 ban 4h\n');
    const bad = await picket(['notifications', 'test', 'slack_unused', ...common]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /notification 'slack_unused': not sent: .*http\.yaml:\d+: webhook: '<WEBHOOK_URL>' is not a URL/,
    );

    const re = await picket(['notifications', 'reinject', ids[0]!, ...common]);
    assert.equal(re.code, 0, re.stderr);
    assert.match((await r.waitFor(3))[2]!.body, /^crowdsecurity\/ssh-bf 198\.51\.100\.4 ban (3h59m\d+s|4h0m0s)\n$/);
    assert.equal((await picket(['notifications', 'nope', ...common])).code, 2);
  } finally {
    assert.equal(await lapi.stop(), 0, lapi.stderr());
    await r.close();
  }
  try {
    fs.writeFileSync(path.join(dir, 'profiles.yaml'), PROFILES('http_defualt'));
    const res = await picket([
      'run',
      '--no-agent',
      '--metrics',
      'off',
      '--listen',
      '127.0.0.1:0',
      '--config',
      cfg,
      '--data',
      path.join(dir, 'data'),
    ]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /profiles\.yaml: profile "default_ip_remediation" \(document 1\): notifications: 'http_defualt' is not defined in notification_dir \(defined: http_default, slack_unused\)/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
