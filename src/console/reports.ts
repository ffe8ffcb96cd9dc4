// The console's reports and privacy pages' data: a month's report (src/report) built from the LAPI store and
// sent as a download (html, pdf or json), and the privacy notice (docs/PRIVACY.md of the package) as text.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import {
  buildReport,
  type ReportSource,
  monthContaining,
  parseMonth,
  renderReport,
  reportFileName,
  reportFormat,
} from '../report/index.js';

const PRIVACY_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/PRIVACY.md');
const TYPES = { html: 'text/html; charset=utf-8', pdf: 'application/pdf', json: 'application/json' } as const;

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

export function privacyText(): string {
  try {
    return fs.readFileSync(PRIVACY_FILE, 'utf8');
  } catch {
    return 'docs/PRIVACY.md is not installed with this copy of Picket.';
  }
}
