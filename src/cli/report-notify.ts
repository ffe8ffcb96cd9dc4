// `report.notify: NAME` of `picket run`: the monthly report handed to the notification NAME of notification_dir
// (src/report/schedule.ts registerReportSender). An `email` notification mails it (a short HTML body, the PDF
// and the HTML report attached, the notification's SMTP settings); any other type gets one message naming the
// report's files (the folder of report.output_dir keeps them). The name is checked when `picket run` starts.
// Owns: this bridge between src/report and src/notifications (neither imports the other).

import path from 'node:path';
import type { PicketConfig } from '../config/config.js';
import { DEFAULT_NOTIFICATION_DIR } from '../config/defaults.js';
import { loadNotificationDir, type NotificationConfig } from '../notifications/index.js';
import { createSender, type SenderHooks } from '../notifications/senders/index.js';
import { emailMailer } from '../notifications/senders/email.js';
import type { ReportFile, ReportSender } from '../report/schedule.js';
import { CliError } from './command.js';
import { errorMessage } from '../core/errors.js';

const TYPES = { html: 'text/html', pdf: 'application/pdf', json: 'application/json' } as const;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** the notification `name` of the config's notification_dir; a missing one is a start-up error */
export function reportNotification(config: PicketConfig, name: string): NotificationConfig {
  const dir = config.notificationDir ?? DEFAULT_NOTIFICATION_DIR;
  let all: Map<string, NotificationConfig>;
  try {
    all = loadNotificationDir(dir);
  } catch (e) {
    throw new CliError(`report.notify '${name}': ${errorMessage(e)}`, 1);
  }
  const n = all.get(name);
  if (n === undefined)
    throw new CliError(
      `${config.file ?? 'config'}: report.notify: no notification '${name}' in ${dir} ` +
        `(defined: ${[...all.keys()].join(', ') || 'none'})`,
      1,
    );
  return n;
}

function mailBody(files: ReportFile[], subject: string): string {
  const names = files.map((f) => `<li>${escapeHtml(path.basename(f.path))}</li>`).join('');
  return (
    `<p>${escapeHtml(subject)}: the report is attached (PDF to read or print, HTML to open in a browser, ` +
    `offline).</p><p>Files kept on the Picket host:</p><ul>${names}</ul>`
  );
}

/** the sender of `report.notify` (validated now: settings errors name the notification file and key) */
export function reportSender(cfg: NotificationConfig, hooks: SenderHooks = {}): ReportSender {
  if (cfg.type === 'email') {
    const mail = emailMailer(cfg, hooks);
    return {
      send: (_name, files, subject) =>
        mail(
          {
            subject,
            html: mailBody(files, subject),
            attachments: files
              .filter((f) => f.format !== 'json')
              .map((f) => ({ filename: path.basename(f.path), path: f.path, contentType: TYPES[f.format] })),
          },
          AbortSignal.timeout(Math.max(cfg.timeoutMs, 60_000)),
        ),
    };
  }
  void createSender(cfg, hooks).close(); // validates the settings now
  return {
    send: async (_name, files, subject) => {
      const sender = createSender(cfg, hooks);
      try {
        await sender.send(`${subject}: ${files.map((f) => f.path).join(', ')}`, AbortSignal.timeout(cfg.timeoutMs));
      } finally {
        await sender.close();
      }
    },
  };
}

/** the sender of the config's `report.notify` (null: none); any problem is a start-up error */
export function configuredReportSender(config: PicketConfig): ReportSender | null {
  const r = config.report;
  if (r?.schedule !== 'monthly' || r.notification === undefined) return null;
  const n = reportNotification(config, r.notification);
  try {
    return reportSender(n);
  } catch (e) {
    throw new CliError(`report.notify '${r.notification}': ${errorMessage(e)}`, 1);
  }
}
