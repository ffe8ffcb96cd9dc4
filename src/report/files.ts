// A folder of monthly report files (`picket-report-YYYY-MM.{html,pdf,json}`): writing a month's three files
// (each written beside, then renamed: never a half-written report) and listing the months a folder holds.
// Used by the monthly schedule (./schedule.ts) and the web console's reports page.

import fs from 'node:fs';
import path from 'node:path';
import type { ReportData } from './types.js';
import { renderReport, reportFileName, REPORT_FORMATS, type ReportFormat } from './index.js';

/** the file name of a report file, with its month and format */
export const REPORT_FILE_NAME = /^picket-report-(\d{4}-\d{2})\.(html|pdf|json)$/;

export interface ReportFile {
  path: string;
  format: ReportFormat;
  month: string;
}

export interface ReportMonthFiles {
  month: string;
  files: { name: string; format: ReportFormat; size: number; modifiedAt: number }[];
}

/** writes the month's HTML, PDF and JSON into `dir` (created when missing) */
export async function writeReportFiles(data: ReportData, dir: string): Promise<ReportFile[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: ReportFile[] = [];
  for (const format of REPORT_FORMATS) {
    const file = path.join(dir, reportFileName(data.month, format));
    fs.writeFileSync(file + '.tmp', await renderReport(data, format));
    fs.renameSync(file + '.tmp', file);
    files.push({ path: file, format, month: data.month });
  }
  return files;
}

/** the report files of `dir` by month, newest month first (a missing folder holds none) */
export function listReportFiles(dir: string): ReportMonthFiles[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const byMonth = new Map<string, ReportMonthFiles>();
  for (const name of names.sort()) {
    const m = REPORT_FILE_NAME.exec(name);
    if (m === null) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(dir, name));
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    const entry = byMonth.get(m[1]!) ?? { month: m[1]!, files: [] };
    entry.files.push({ name, format: m[2] as ReportFormat, size: st.size, modifiedAt: st.mtimeMs });
    byMonth.set(m[1]!, entry);
  }
  return [...byMonth.values()].sort((a, b) => b.month.localeCompare(a.month));
}
