// `report.schedule: monthly` with `report.notify: NAME`: `picket run` mails last month's report through the
// e-mail notification NAME of notification_dir to a real SMTP server on loopback (smtp-server), the PDF and
// the HTML attached (decoded and checked: a PDF, the HTML with its charts); another type (file) gets one
// message naming the files; a name that notification_dir does not define stops `picket run` at start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { eventually, picket, startPicket, tempDir } from '../cli/helpers.js';

interface Part {
  headers: string;
  body: Buffer;
}

/** the leaf parts of a MIME message (multipart nesting followed), bodies decoded (base64, quoted-printable) */
function mimeParts(raw: string): Part[] {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const text = rest.join('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head!.replace(/\r?\n\s+/g, ' '))?.[1];
  if (boundary === undefined) {
    if (/content-transfer-encoding:\s*base64/i.test(head!))
      return [{ headers: head!, body: Buffer.from(text.replace(/\s+/g, ''), 'base64') }];
    const qp = /content-transfer-encoding:\s*quoted-printable/i.test(head!);
    const decoded = qp
      ? text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      : text;
    return [{ headers: head!, body: Buffer.from(decoded, 'latin1') }];
  }
  const chunks = text.split(`--${boundary}`).slice(1);
  return chunks.filter((c) => !c.startsWith('--')).flatMap((c) => mimeParts(c.replace(/^\r?\n/, '')));
}

async function smtpSink(): Promise<{ port: number; mails: { to: string[]; data: string }[]; close(): Promise<void> }> {
  const mails: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((x) => x.address), data: Buffer.concat(chunks).toString() });
        cb();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((res) => server.close(() => res())) };
}

const emailYaml = (port: number): string[] => [
  'type: email',
  'name: ops-mail',
  'smtp_host: 127.0.0.1',
  `smtp_port: ${port}`,
  'auth_type: none',
  'encryption_type: none',
  'sender_email: picket@example.org',
  'receiver_emails: [ops@example.org]',
  'format: "{{ . }}"',
];

/** notification_dir with one notification, and a config asking for the monthly report sent to `notify` */
function setup(dir: string, notification: string[], notify: string): string {
  const notifications = path.join(dir, 'notifications');
  fs.mkdirSync(notifications);
  fs.writeFileSync(path.join(notifications, 'n.yaml'), notification.join('\n') + '\n');
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    cfg,
    `notification_dir: ${notifications}\n` +
      `report:\n  schedule: monthly\n  output_dir: ${path.join(dir, 'reports')}\n  notify: ${notify}\n`,
  );
  return cfg;
}

const lastMonthKey = (): string => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

test("picket run mails last month's report with the PDF and HTML attached", async () => {
  const smtp = await smtpSink();
  const dir = tempDir('picket-report-mail-');
  const run = await startPicket(
    ['--no-agent', '--metrics', 'off', '--config', setup(dir, emailYaml(smtp.port), 'ops-mail')],
    dir,
  );
  try {
    const last = lastMonthKey();
    const mail = await eventually(async () => smtp.mails[0], 'the report mail', 30_000);
    assert.deepEqual(mail.to, ['ops@example.org']);
    assert.match(mail.data, new RegExp(`^Subject: Picket monthly report ${last}`, 'm'));
    const parts = mimeParts(mail.data);
    const named = (name: string) =>
      parts.find((p) => p.headers.includes(`filename=${name}`) || p.headers.includes(`filename="${name}"`));
    const pdf = named(`picket-report-${last}.pdf`);
    const html = named(`picket-report-${last}.html`);
    assert.ok(pdf && html, `attachments: ${parts.map((p) => p.headers.replace(/\s+/g, ' ')).join(' | ')}`);
    assert.match(pdf.headers, /content-type: application\/pdf/i);
    assert.ok(pdf.body.subarray(0, 5).equals(Buffer.from('%PDF-')), 'a PDF');
    assert.deepEqual(pdf.body, fs.readFileSync(path.join(dir, 'reports', `picket-report-${last}.pdf`)));
    assert.match(html.body.toString(), /<svg/);
    assert.ok(!parts.some((p) => p.headers.includes('.json')), 'the JSON stays in the folder');
    assert.ok(
      parts.some((p) => /text\/html/i.test(p.headers) && p.body.toString().includes(`picket-report-${last}.pdf`)),
      'the body names the files',
    );
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('report.notify naming no notification stops picket run at start', async () => {
  const dir = tempDir('picket-report-mail-');
  try {
    const cfg = setup(dir, emailYaml(1), 'ops-typo');
    const r = await picket(['run', '--no-agent', '--metrics', 'off', '--config', cfg, '--data', path.join(dir, 'd')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /report\.notify: no notification 'ops-typo' in .*notifications \(defined: ops-mail\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('another notification type gets one message naming the report files', async () => {
  const dir = tempDir('picket-report-file-');
  const log = path.join(dir, 'reports.log');
  const cfg = setup(dir, ['type: file', 'name: ops-file', `log_path: ${log}`, 'format: "{{ . }}"'], 'ops-file');
  const run = await startPicket(['--no-agent', '--metrics', 'off', '--config', cfg], dir);
  try {
    const last = lastMonthKey();
    const text = await eventually(async () => fs.existsSync(log) && fs.readFileSync(log, 'utf8'), 'the message');
    const file = path.join(dir, 'reports', `picket-report-${last}`);
    assert.equal(text.trim(), `Picket monthly report ${last}: ${file}.html, ${file}.pdf, ${file}.json`);
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
