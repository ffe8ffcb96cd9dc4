// The monthly report's entry points for the CLI, the schedule and the web console: build the data from the
// store (./data.ts), render it as JSON, HTML or PDF, and the file name of a month's report.

import { renderHtml } from './html.js';
import { renderPdf } from './pdf.js';
import { reportCharts } from './charts.js';
import { ReportError } from './period.js';
import type { ReportData } from './types.js';

export { buildReport, type BuildOptions, type ReportSource } from './data.js';
export { parseMonth, lastMonth, previousMonth, monthContaining, ReportError, type Month } from './period.js';
export { registerCrowdLedger, type CrowdLedger } from './crowd.js';
export type { ReportData } from './types.js';

const PDF_CHART_WIDTH = 620;

export type ReportFormat = 'html' | 'pdf' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'json'];

export function reportFormat(s: string): ReportFormat {
  if ((REPORT_FORMATS as readonly string[]).includes(s)) return s as ReportFormat;
  throw new ReportError('REPORT_BAD_FORMAT', `format '${s}': expected html, pdf or json`);
}

/** the report in one format: the file's bytes */
export async function renderReport(r: ReportData, format: ReportFormat): Promise<Buffer> {
  if (format === 'json') return Buffer.from(JSON.stringify(r, null, 2) + '\n');
  // narrower charts for the A4 column: their text stays readable once scaled to the page
  return format === 'html'
    ? Buffer.from(renderHtml(r, reportCharts(r)))
    : renderPdf(r, reportCharts(r, PDF_CHART_WIDTH));
}

/** `picket-report-2026-11.html` */
export function reportFileName(month: string, format: ReportFormat): string {
  return `picket-report-${month}.${format}`;
}
