// The console's reports and privacy pages' data: the report folder (report.output_dir, else reports/ of the
// data folder) listed by month, a month generated on demand into it, its files viewed (HTML, under the
// report's own CSP: nothing but its inline style and data: images, sandboxed, framable by the console only)
// or downloaded; a month's report built from the LAPI store and sent as a download (html, pdf or json); and
// the privacy notice (docs/PRIVACY.md of the package) as text.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildReport,
  type ReportSource,
  monthContaining,
  parseMonth,
  renderReport,
  reportFileName,
  reportFormat,
} from '../report/index.js';
import { listReportFiles, REPORT_FILE_NAME, writeReportFiles } from '../report/files.js';
import { ConsoleInputError } from './data.js';
import { readJson, send, str } from './http.js';

const PRIVACY_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/PRIVACY.md');
const TYPES = { html: 'text/html; charset=utf-8', pdf: 'application/pdf', json: 'application/json' } as const;

/** a report file shown in the console's frame: its inline style and data: images only, no script, sandboxed */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'self'; sandbox";

/** GET /ui/api/report?month=YYYY-MM&format=html|pdf|json: always an attachment (never rendered in the console) */
export async function sendReport(
  res: ServerResponse,
  store: ReportSource,
  q: URLSearchParams,
  now: number,
): Promise<void> {
  const month = q.get('month') ? parseMonth(q.get('month')!) : monthContaining(now);
  const format = reportFormat(q.get('format') ?? 'html');
  const body = await renderReport(buildReport(store, { month, now }), format);
  res.writeHead(200, {
    'Content-Type': TYPES[format],
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'Content-Disposition': `attachment; filename="${reportFileName(month.key, format)}"`,
  });
  res.end(body);
}

/** GET /ui/api/reports: the folder's reports by month */
export function listReports(res: ServerResponse, dir: string): void {
  send(res, 200, { dir, months: listReportFiles(dir) });
}

/** one generation at a time in the process (a report takes seconds of CPU: PDF and charts) */
let generating = false;

/** POST /ui/api/reports {month}: builds the month (not a future one) and writes its three files to the folder */
export async function generateReport(
  req: IncomingMessage,
  res: ServerResponse,
  store: ReportSource,
  dir: string,
  now: number,
): Promise<void> {
  const month = parseMonth(str((await readJson(req)).month));
  if (month.start > now) throw new ConsoleInputError('CONSOLE_BAD_INPUT', `month: ${month.key} has not begun`);
  if (generating) {
    send(res, 409, { message: 'a report is being generated: try again when it is done' });
    return;
  }
  generating = true;
  try {
    const files = await writeReportFiles(buildReport(store, { month, now }), dir);
    send(res, 201, { month: month.key, files: files.map((f) => path.basename(f.path)) });
  } finally {
    generating = false;
  }
}

/** GET /ui/api/reports/files/NAME[?download=1]: HTML inline (report CSP) unless downloaded; PDF and JSON download */
export function reportFile(res: ServerResponse, dir: string, name: string, q: URLSearchParams): void {
  const m = REPORT_FILE_NAME.exec(name);
  if (m === null) throw new ConsoleInputError('CONSOLE_BAD_INPUT', `name: '${name}' is not a report file name`);
  let body: Buffer;
  try {
    body = fs.readFileSync(path.join(dir, name));
  } catch {
    send(res, 404, { message: `no report file ${name}` });
    return;
  }
  const format = m[2] as keyof typeof TYPES;
  const inline = format === 'html' && q.get('download') !== '1';
  if (inline) {
    res.setHeader('Content-Security-Policy', REPORT_CSP);
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  }
  res.writeHead(200, {
    'Content-Type': TYPES[format],
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
  });
  res.end(body);
}

export function privacyText(): string {
  try {
    return fs.readFileSync(PRIVACY_FILE, 'utf8');
  } catch {
    return 'docs/PRIVACY.md is not installed with this copy of Picket.';
  }
}
