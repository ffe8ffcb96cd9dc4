// The monthly report's entry points for the CLI, the schedule and the web console: build the data from the
// store (./data.ts), render it as JSON, HTML or PDF, and the file name of a month's report.

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
  // echarts, pdfkit and its fonts are loaded by the first report rendered, not by every process that imports this
  // module (`picket run` through its console and schedule: ~45 MB of RSS it would otherwise carry)
  const { reportCharts } = await import('./charts.js');
  if (format === 'html') {
    const { renderHtml } = await import('./html.js');
    return Buffer.from(renderHtml(r, reportCharts(r)));
  }
  const { renderPdf } = await import('./pdf.js');
  return renderPdf(r, reportCharts(r, PDF_CHART_WIDTH));
}

/** `picket-report-2026-11.html` */
export function reportFileName(month: string, format: ReportFormat): string {
  return `picket-report-${month}.${format}`;
}
