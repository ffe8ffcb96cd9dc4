// Delivery against real servers on loopback: webhooks (method, headers, query parameters, unix socket, TLS
// verification, CA file), the Slack and Splunk HEC payloads, retries with back-off (a receiver that fails twice
// then succeeds), timeouts, grouping (group_threshold, group_wait), the bounded queue, metrics, the file type
// with rotation, and email through an SMTP server (smtp-server) with AUTH, STARTTLS and implicit TLS.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Notifier, parseNotificationFile, type NotifierOptions } from '../../src/notifications/index.js';
import { alertJson, metricValue, startReceiver } from './helpers.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-deliv-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function notifier(yaml: string, o: NotifierOptions = {}): Notifier {
  const m = new Map(parseNotificationFile(yaml, 'test.yaml').map((c) => [c.name, c]));
  const n = new Notifier(m, { backoffMs: 20, ...o });
  n.prepare([{ name: 'p', document: 1, where: 'profiles.yaml', notifications: [...m.keys()] }]);
  return n;
}

/** a self-signed certificate for 127.0.0.1 (null when openssl is missing) */
function selfSigned(): { key: string; cert: string; certFile: string } | null {
  const d = tmp();
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(d, 'key.pem'),
        '-out',
        path.join(d, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  return {
    key: fs.readFileSync(path.join(d, 'key.pem'), 'utf8'),
    cert: fs.readFileSync(path.join(d, 'cert.pem'), 'utf8'),
    certFile: path.join(d, 'cert.pem'),
  };
}
const TLS = selfSigned();

test('http: method, headers, rendered body; url_query_params; metrics', async () => {
  const r = await startReceiver();
  try {
    const n = notifier(
      [
        'type: http',
        'name: hook',
        `url: ${r.url}/alerts?src=picket`,
        'method: PUT',
        'headers: {Authorization: "token 0x64312313", Content-Type: application/json}',
        'format: |',
        '  {{ range . }}{{ .Source.IP }} {{ .Scenario }}{{ end }}',
        '---',
        'type: http',
        'name: qp',
        `url: ${r.url}/q`,
        'format: |',
        '  {"url_query_params": {"ip": "{{ (index . 0).Source.IP }}"}, "request_body": {{ .|toJson }}}',
      ].join('\n'),
    );
    n.dispatch(['hook'], alertJson('1.2.3.4'));
    n.dispatch(['qp'], alertJson('5.6.7.8'));
    await n.drain();
    const got = await r.waitFor(2);
    const hook = got.find((q) => q.url.startsWith('/alerts'))!;
    assert.equal(hook.method, 'PUT');
    assert.equal(hook.url, '/alerts?src=picket');
    assert.equal(hook.headers.authorization, 'token 0x64312313');
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.body, '1.2.3.4 crowdsecurity/ssh-bf\n');
    const qp = got.find((q) => q.url.startsWith('/q'))!;
    assert.equal(qp.method, 'POST');
    assert.equal(qp.url, '/q?ip=5.6.7.8');
    assert.deepEqual(JSON.parse(qp.body), [alertJson('5.6.7.8')]);
    assert.equal(await metricValue(n.registry, 'picket_notifications_sent_total', 'name="hook",type="http"'), 1);
    await n.close();
  } finally {
    await r.close();
  }
});

test('slack incoming-webhook payload and splunk HEC event', async () => {
  const r = await startReceiver();
  try {
    const n = notifier(
      [
        'type: slack',
        'name: s',
        `webhook: ${r.url}/services/T/B/X`,
        'channel: "#security"',
        'username: picket',
        'icon_emoji: ":shield:"',
        'format: "{{ range . }}{{ .Source.IP }} <b>{{ end }}"',
        '---',
        'type: splunk',
        'name: hec',
        `url: ${r.url}/services/collector`,
        'token: 11111111-2222',
        'format: "{{ .|toJson }}"',
      ].join('\n'),
    );
    n.dispatch(['s', 'hec'], alertJson('1.2.3.4'));
    await n.drain();
    const got = await r.waitFor(2);
    const slack = got.find((q) => q.url.startsWith('/services/T'))!;
    assert.equal(slack.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(slack.body), {
      text: '1.2.3.4 <b>',
      channel: '#security',
      username: 'picket',
      icon_emoji: ':shield:',
    });
    assert.ok(slack.body.includes('\\u003cb\\u003e'), 'Go JSON encoding escapes HTML characters');
    const hec = got.find((q) => q.url === '/services/collector')!;
    assert.equal(hec.headers.authorization, 'Splunk 11111111-2222');
    const event = JSON.parse(hec.body) as { event: string };
    assert.deepEqual(Object.keys(event), ['event']);
    assert.deepEqual(JSON.parse(event.event), [alertJson('1.2.3.4')]);
    await n.close();
  } finally {
    await r.close();
  }
});

test('retries: a receiver that fails twice then succeeds; exhausted retries and timeouts are counted', async () => {
  const r = await startReceiver();
  const logs: string[] = [];
  try {
    r.respond.push(500, 503);
    const n = notifier(
      [
        'type: http',
        'name: retry',
        `url: ${r.url}/r`,
        'max_retry: 3',
        'log_level: debug',
        'format: "{{ len . }}"',
        '---',
        'type: http',
        'name: fail',
        `url: ${r.url}/f`,
        'max_retry: 2',
        'format: "x"',
        '---',
        'type: http',
        'name: quiet',
        `url: ${r.url}/q`,
        'log_level: off',
        'format: "x"',
        '---',
        'type: http',
        'name: slow',
        `url: ${r.url}/s`,
        'timeout: 200ms',
        'format: "x"',
      ].join('\n'),
      { log: (l) => logs.push(l) },
    );
    n.dispatch(['retry'], alertJson('1.2.3.4'));
    await n.drain();
    assert.equal(r.requests.filter((q) => q.url === '/r').length, 3);
    assert.equal(await metricValue(n.registry, 'picket_notifications_sent_total', 'name="retry",type="http"'), 1);
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="retry",type="http"'), 0);
    assert.ok(logs.includes("notification 'retry' (http): 1 alert(s) delivered"), logs.join('\n')); // log_level: debug

    r.respond.push(500, 500);
    n.dispatch(['fail'], alertJson('1.2.3.4'));
    await n.drain();
    r.respond.push('hang');
    n.dispatch(['slow'], alertJson('1.2.3.4'));
    await n.drain();
    r.respond.push(500);
    n.dispatch(['quiet'], alertJson('1.2.3.4'));
    await n.drain();
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="quiet",type="http"'), 1);
    assert.ok(!logs.some((l) => l.includes("'quiet'")), 'log_level: off');
    assert.equal(r.requests.filter((q) => q.url === '/f').length, 2);
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="fail",type="http"'), 1);
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="slow",type="http"'), 1);
    assert.ok(
      logs.some((l) =>
        /notification 'fail' \(http\): 1 alert\(s\) not delivered: 2 attempt\(s\) failed, last: .*answered 500/.test(l),
      ),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((l) => /notification 'slow' \(http\): .*timed out/.test(l)),
      logs.join('\n'),
    );
    await n.close();
  } finally {
    await r.close();
  }
});

test('grouping: group_threshold batches, group_wait collects; the queue is bounded', async () => {
  const r = await startReceiver();
  try {
    const n = notifier(
      [
        'type: http',
        'name: thr',
        `url: ${r.url}/thr`,
        'group_threshold: 2',
        'format: "{{ range . }}{{ .Source.IP }},{{ end }}"',
        '---',
        'type: http',
        'name: wait',
        `url: ${r.url}/wait`,
        'group_wait: 300ms',
        'timeout: 300ms',
        'format: "{{ range . }}{{ .Source.IP }},{{ end }}"',
      ].join('\n'),
      { queueLimit: 3 },
    );
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) n.dispatch(['thr', 'wait'], alertJson(ip));
    const first = await r.waitFor(1);
    assert.deepEqual(
      first.map((q) => [q.url, q.body]),
      [['/thr', '1.1.1.1,2.2.2.2,']],
    );
    const all = await r.waitFor(2);
    assert.deepEqual(all[1]!.url, '/wait');
    assert.equal(all[1]!.body, '1.1.1.1,2.2.2.2,3.3.3.3,');
    // the third alert of `thr` waits for a second one (no group_wait)
    assert.equal(r.requests.filter((q) => q.url === '/thr').length, 1);
    n.dispatch(['thr'], alertJson('4.4.4.4'));
    await n.drain();
    assert.equal(r.requests.find((q) => q.url === '/thr' && q.body.startsWith('3'))?.body, '3.3.3.3,4.4.4.4,');

    // a hanging receiver: at most queueLimit alerts wait, the others are dropped and counted
    r.respond.push('hang', 'hang', 'hang', 'hang', 'hang');
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) n.dispatch(['wait'], alertJson(`10.0.0.${i}`));
    assert.ok(Date.now() - t0 < 1000, 'dispatch never waits');
    assert.equal(await metricValue(n.registry, 'picket_notifications_dropped_total', 'name="wait",type="http"'), 3);
    await n.close();
  } finally {
    await r.close();
  }
});

test('closing is bounded: deliveries not started within the grace period are dropped and counted', async () => {
  const r = await startReceiver();
  try {
    r.respond.push('hang', 'hang', 'hang', 'hang', 'hang');
    const n = notifier(
      ['type: http', 'name: h', `url: ${r.url}/h`, 'timeout: 300ms', 'max_retry: 3', 'format: x'].join('\n'),
    );
    for (let i = 0; i < 5; i++) n.dispatch(['h'], alertJson(`10.0.0.${i}`));
    await n.close(100);
    assert.equal(r.requests.length, 1, 'one delivery started, no retry after the grace period');
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="h",type="http"'), 1);
    assert.equal(await metricValue(n.registry, 'picket_notifications_dropped_total', 'name="h",type="http"'), 4);
  } finally {
    await r.close();
  }
});

test('http over a unix socket, TLS verification, skip_tls_verification and ca_cert_path', async (t) => {
  const sock = path.join(tmp(), 'hook.sock');
  const bodies: string[] = [];
  const unix = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => {
      b += c;
    });
    req.on('end', () => {
      bodies.push(`${req.url} ${b}`);
      res.end('ok');
    });
  });
  await new Promise<void>((res) => unix.listen(sock, res));
  try {
    const n = notifier(
      [
        'type: http',
        'name: u',
        'url: http://localhost/over-socket',
        `unix_socket: ${sock}/`,
        'format: "{{ len . }}"',
      ].join('\n'),
    );
    n.dispatch(['u'], alertJson('1.2.3.4'));
    await n.close();
    assert.deepEqual(bodies, ['/over-socket 1']);
  } finally {
    await new Promise<void>((res) => unix.close(() => res()));
  }

  if (!TLS) {
    t.diagnostic('openssl is missing: TLS part skipped');
    return;
  }
  const seen: string[] = [];
  const srv = https.createServer({ key: TLS.key, cert: TLS.cert }, (req, res) => {
    seen.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const base = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const logs: string[] = [];
  try {
    const n = notifier(
      [
        'type: http',
        'name: strict',
        `url: ${base}/strict`,
        'format: x',
        '---',
        'type: http',
        'name: skip',
        `url: ${base}/skip`,
        'skip_tls_verification: true',
        'format: x',
        '---',
        'type: http',
        'name: ca',
        `url: ${base}/ca`,
        `ca_cert_path: ${TLS.certFile}`,
        'format: x',
      ].join('\n'),
      { log: (l) => logs.push(l) },
    );
    n.dispatch(['strict', 'skip', 'ca'], alertJson('1.2.3.4'));
    await n.close();
    assert.deepEqual(seen.sort(), ['/ca', '/skip']);
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="strict",type="http"'), 1);
    assert.ok(
      logs.some((l) => /'strict'.*(self.signed|certificate)/i.test(l)),
      logs.join('\n'),
    );
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((res) => srv.close(() => res()));
  }
});

test('file: appends the rendered messages, rotates with compression and keeps max_files', async () => {
  const d = tmp();
  const log = path.join(d, 'alerts.json');
  const n = notifier(
    [
      'type: file',
      'name: f',
      `log_path: ${log}`,
      'format: |',
      '  {{range . -}}',
      '   { "time": "{{.StopAt}}", "program": "crowdsec", "alert": {{. | toJson }} }',
      '  {{ end -}}',
      'rotate:',
      '  enabled: true',
      '  max_size: 0.002',
      '  max_files: 2',
      '  max_age: 5',
      '  compress: true',
    ].join('\n'),
  );
  n.dispatch(['f'], alertJson('1.2.3.4'));
  await n.drain();
  const first = fs.readFileSync(log, 'utf8');
  assert.deepEqual(JSON.parse(first.trim()), {
    time: '2026-11-25T05:14:39Z',
    program: 'crowdsec',
    alert: alertJson('1.2.3.4'),
  });
  // each alert line is ~1.3 kB: the file passes 2 kB every second alert and is rotated
  for (let i = 0; i < 9; i++) {
    n.dispatch(['f'], alertJson(`10.0.0.${i}`));
    await n.drain();
    await new Promise((res) => setTimeout(res, i % 2 ? 1000 : 0)); // backups are named by the second
  }
  await n.close();
  const backups = fs
    .readdirSync(d)
    .filter((f) => f.startsWith('alerts.json.'))
    .sort();
  assert.equal(backups.length, 2, backups.join(' '));
  for (const b of backups) assert.match(b, /^alerts\.json\.\d{8}-\d{6}(-\d+)?\.gz$/);
  // the kept alerts (oldest backup, newest backup, current file) are the last ones sent, in order
  const ips = [
    ...backups.map((b) => zlib.gunzipSync(fs.readFileSync(path.join(d, b))).toString()),
    fs.readFileSync(log, 'utf8'),
  ]
    .join('')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { alert: { source: { ip: string } } }).alert.source.ip);
  const sent = ['1.2.3.4', ...Array.from({ length: 9 }, (_x, i) => `10.0.0.${i}`)];
  assert.ok(ips.length >= 4 && ips.length < sent.length, ips.join(' '));
  assert.deepEqual(ips, sent.slice(sent.length - ips.length));
  assert.ok(fs.statSync(log).size <= 2 * 1048.576 + 1500);
});

interface Mail {
  from: string;
  to: string[];
  data: string;
  user: string | undefined;
  secure: boolean;
}

async function smtp(opts: {
  secure?: boolean;
  tls?: boolean;
  auth?: boolean;
}): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: opts.secure === true,
    ...(opts.tls || opts.secure ? { key: TLS!.key, cert: TLS!.cert } : { disabledCommands: ['STARTTLS'] }),
    allowInsecureAuth: !opts.tls && !opts.secure,
    authOptional: !opts.auth,
    authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alice' && (auth.password === 'pw' || auth.validatePassword?.('pw')))
        cb(null, { user: 'alice' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => {
        data += c.toString();
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((x) => x.address),
          data,
          user: session.user as string | undefined,
          secure: session.secure,
        });
        cb();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

function emailYaml(name: string, port: number, extra: string[]): string {
  return [
    'type: email',
    `name: ${name}`,
    'smtp_host: 127.0.0.1',
    `smtp_port: ${port}`,
    'sender_name: "CrowdSec"',
    'sender_email: crowdsec@example.org',
    'email_subject: "CrowdSec Notification"',
    'receiver_emails: [ops@example.org, sec@example.org]',
    'helo_host: picket.test',
    'format: "<p>{{ range . }}{{ .Source.IP }} banned{{ end }}</p>"',
    ...extra,
  ].join('\n');
}

test('email: SMTP with AUTH (login, plain, crammd5), no encryption', async () => {
  const s = await smtp({ auth: true });
  try {
    const n = notifier(
      [
        emailYaml('login', s.port, [
          'encryption_type: none',
          'auth_type: login',
          'smtp_username: alice',
          'smtp_password: pw',
        ]),
        '---',
        emailYaml('plain', s.port, [
          'encryption_type: none',
          'auth_type: plain',
          'smtp_username: alice',
          'smtp_password: pw',
        ]),
        '---',
        emailYaml('cram', s.port, [
          'encryption_type: none',
          'auth_type: crammd5',
          'smtp_username: alice',
          'smtp_password: pw',
        ]),
        '---',
        emailYaml('wrong', s.port, ['encryption_type: none', 'smtp_username: alice', 'smtp_password: nope']),
      ].join('\n'),
    );
    n.dispatch(['login', 'plain', 'cram', 'wrong'], alertJson('1.2.3.4'));
    await n.close();
    assert.equal(s.mails.length, 3);
    for (const m of s.mails) {
      assert.equal(m.user, 'alice');
      assert.equal(m.from, 'crowdsec@example.org');
      assert.deepEqual(m.to, ['ops@example.org', 'sec@example.org']);
      assert.match(m.data, /^Subject: CrowdSec Notification\r?$/m);
      assert.match(m.data, /^From: CrowdSec <crowdsec@example\.org>\r?$/m);
      assert.match(m.data, /Content-Type: text\/html/);
      assert.match(m.data, /<p>1\.2\.3\.4 banned<\/p>/);
    }
    assert.equal(await metricValue(n.registry, 'picket_notifications_failed_total', 'name="wrong",type="email"'), 1);
  } finally {
    await s.close();
  }
});

test('email: STARTTLS and implicit TLS (ssltls) with a self-signed certificate', async (t) => {
  if (!TLS) {
    t.diagnostic('openssl is missing: STARTTLS / TLS email test skipped');
    return;
  }
  const starttls = await smtp({ tls: true, auth: true });
  const implicit = await smtp({ secure: true, auth: true });
  try {
    const yaml = [
      emailYaml('starttls', starttls.port, ['encryption_type: starttls', 'smtp_username: alice', 'smtp_password: pw']),
      '---',
      emailYaml('ssltls', implicit.port, ['smtp_username: alice', 'smtp_password: pw']),
      '---',
      emailYaml('untrusted', starttls.port, ['encryption_type: starttls', 'smtp_username: alice', 'smtp_password: pw']),
    ].join('\n');
    const trusted = notifier(yaml.split('---')[0]! + '---' + yaml.split('---')[1]!, { hooks: { emailCa: TLS.cert } });
    trusted.dispatch(['starttls', 'ssltls'], alertJson('1.2.3.4'));
    await trusted.close();
    assert.equal(starttls.mails.length, 1);
    assert.equal(starttls.mails[0]!.secure, true);
    assert.equal(implicit.mails.length, 1);
    assert.equal(implicit.mails[0]!.secure, true);
    const untrusted = notifier(yaml.split('---')[2]!);
    untrusted.dispatch(['untrusted'], alertJson('1.2.3.4'));
    await untrusted.close();
    assert.equal(starttls.mails.length, 1, 'an unknown certificate is refused');
    assert.equal(
      await metricValue(untrusted.registry, 'picket_notifications_failed_total', 'name="untrusted",type="email"'),
      1,
    );
  } finally {
    await starttls.close();
    await implicit.close();
  }
});
