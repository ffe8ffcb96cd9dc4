// The `email` notification type over nodemailer (SMTP), with CrowdSec's keys and defaults (email plugin):
// smtp_host, smtp_port (25), smtp_username, smtp_password, auth_type (login | plain | crammd5 | none; default
// login), sender_email (crowdsec@crowdsec.local), sender_name (Crowdsec), receiver_emails, email_subject
// (Crowdsec notification), encryption_type (ssltls | starttls | none; default ssltls), helo_host (localhost),
// connect_timeout / send_timeout (10s). The message is the HTML body. Owns the email sender, and `emailMailer`
// (the same settings, a whole message with attachments: the monthly report's mail).

import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { NotificationConfig } from '../config.js';
import { Options, type Sender, type SenderHooks } from './options.js';

const AUTH: Record<string, string | null> = { login: 'LOGIN', plain: 'PLAIN', crammd5: 'CRAM-MD5', none: null };
const ENCRYPTION = new Set(['ssltls', 'starttls', 'none']);

/** one e-mail of a notification's settings: its own subject (default email_subject), HTML body, attachments */
export interface EmailMessage {
  subject?: string;
  html: string;
  attachments?: { filename: string; path: string; contentType?: string }[];
}

/** sends whole messages with the settings of an `email` notification (validated now, as emailSender does) */
export function emailMailer(
  cfg: NotificationConfig,
  hooks: SenderHooks = {},
): (m: EmailMessage, signal: AbortSignal) => Promise<void> {
  const o = new Options(cfg);
  const host = o.required('smtp_host');
  const receivers = o.list('receiver_emails');
  if (receivers.length === 0) o.fail('receiver_emails', 'missing (at least one address)');
  const authType = o.str('auth_type', 'login').toLowerCase() || 'login';
  if (!(authType in AUTH)) o.fail('auth_type', `'${authType}' is not one of login, plain, crammd5, none`);
  const encryption = o.str('encryption_type', 'ssltls').toLowerCase() || 'ssltls';
  if (!ENCRYPTION.has(encryption)) o.fail('encryption_type', `'${encryption}' is not one of ssltls, starttls, none`);
  const method = AUTH[authType]!;
  const options: SMTPTransport.Options = {
    host,
    port: o.int('smtp_port', 25),
    secure: encryption === 'ssltls',
    requireTLS: encryption === 'starttls',
    ignoreTLS: encryption === 'none',
    name: o.str('helo_host', 'localhost') || 'localhost',
    connectionTimeout: o.durationMs('connect_timeout', 10_000),
    greetingTimeout: o.durationMs('connect_timeout', 10_000),
    socketTimeout: o.durationMs('send_timeout', 10_000),
    ...(method !== null
      ? { auth: { user: o.str('smtp_username'), pass: o.str('smtp_password') }, authMethod: method }
      : {}),
    ...(hooks.emailCa !== undefined ? { tls: { ca: hooks.emailCa } } : {}),
  };
  const from = {
    name: o.str('sender_name', 'Crowdsec') || 'Crowdsec',
    address: o.str('sender_email', 'crowdsec@crowdsec.local'),
  };
  const subject = o.str('email_subject', 'Crowdsec notification') || 'Crowdsec notification';
  return async (m, signal) => {
    // one connection per message, as the CrowdSec plugin does; closed when the attempt is aborted
    const transport = nodemailer.createTransport(options);
    const abort = () => transport.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      if (signal.aborted) throw new Error('aborted');
      const { subject: own, ...rest } = m;
      await transport.sendMail({ from, to: receivers, subject: own ?? subject, ...rest });
    } finally {
      signal.removeEventListener('abort', abort);
      transport.close();
    }
  };
}

export function emailSender(cfg: NotificationConfig, hooks: SenderHooks = {}): Sender {
  const mail = emailMailer(cfg, hooks);
  return {
    send: (message, signal) => mail({ html: message }, signal),
    close: async () => {
      /* no connection kept between messages */
    },
  };
}
