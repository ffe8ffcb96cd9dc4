// Decisions typed by the user for `picket decisions add` and `picket decisions import`: the target
// (--ip / --range / --scope + --value), validation of Ip/Range values and durations, the import file formats
// (one value per line, CSV with a header, JSON list) and the alert shape cscli sends to carry manual
// decisions (POST /v1/alerts with the decisions attached, so the profiles are not applied).
// Owns: turning user input into validated decisions and alerts, with errors naming the file and line.

import { CliError } from './command.js';
import { normaliseScope } from '../api/scope.js';
import { parseWireDuration, formatRfc3339 } from '../api/wire-time.js';
import type { AlertInput } from '../api/alerts.js';
import { valueProblem, type ManualDecision } from '../api/manual-decision.js';
import { errorMessage } from '../core/errors.js';

export function checkDuration(d: string, what: string): string {
  const ms = parseWireDuration(d);
  if (ms === null || ms <= 0) throw new CliError(`${what} '${d}': expected a positive duration such as 4h, 30m, 7d`);
  return d;
}

/** The single target of `decisions add`: exactly one of --ip, --range, --value (with --scope). */
export function targetOf(v: { ip?: string; range?: string; value?: string; scope?: string }): {
  scope: string;
  value: string;
} {
  const given = [v.ip, v.range, v.value].filter((x) => x !== undefined).length;
  if (given !== 1) throw new CliError('give exactly one of --ip, --range or --value (with --scope)');
  let scope: string, value: string;
  if (v.ip !== undefined) {
    if (v.scope !== undefined && normaliseScope(v.scope) !== 'Ip') throw new CliError('--ip implies --scope Ip');
    scope = 'Ip';
    value = v.ip;
  } else if (v.range !== undefined) {
    if (v.scope !== undefined && normaliseScope(v.scope) !== 'Range')
      throw new CliError('--range implies --scope Range');
    scope = 'Range';
    value = v.range;
  } else {
    scope = normaliseScope(v.scope ?? 'Ip');
    value = v.value as string;
  }
  if (scope === '') throw new CliError('--scope: empty');
  const bad = valueProblem(scope, value);
  if (bad) throw new CliError(bad);
  return { scope, value };
}

/** the alert cscli `decisions import` posts for one batch (no source, the decisions attached) */
export function importAlert(file: string, batch: ManualDecision[], now = Date.now()): AlertInput {
  const t = formatRfc3339(now);
  const name = `import ${file}: ${batch.length} IPs`;
  return {
    scenario: name,
    scenario_hash: '',
    scenario_version: '',
    message: '',
    events_count: batch.length,
    start_at: t,
    stop_at: t,
    created_at: t,
    capacity: 0,
    leakspeed: '',
    simulated: false,
    remediation: true,
    labels: null,
    events: [],
    source: { scope: '', value: '' },
    decisions: batch.map((d) => ({
      duration: d.duration,
      origin: d.origin,
      scenario: d.scenario,
      scope: d.scope,
      type: d.type,
      value: d.value,
    })),
  };
}

export type ImportFormat = 'values' | 'csv' | 'json';
export interface ImportDefaults {
  duration: string;
  type: string;
  scope: string | undefined;
  reason: string;
}

export function importFormatOf(file: string, given: string | undefined): ImportFormat {
  if (given !== undefined) {
    if (given !== 'values' && given !== 'csv' && given !== 'json')
      throw new CliError(`--format ${given}: expected values, csv or json`);
    return given;
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.json$/i.test(file)) return 'json';
  return 'values';
}

interface RawRow {
  value?: unknown;
  duration?: unknown;
  type?: unknown;
  scope?: unknown;
  reason?: unknown;
  scenario?: unknown;
}

/** a CSV line split into cells (RFC 4180 quotes) */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '',
    q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const CSV_COLUMNS = new Set(['value', 'duration', 'type', 'scope', 'reason', 'scenario']);

/** rows of the file with their position text (`FILE:LINE` or `FILE[index]`) */
function rowsOf(text: string, file: string, format: ImportFormat): Array<[RawRow, string]> {
  const rows: Array<[RawRow, string]> = [];
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${file}: not valid JSON: ${errorMessage(e)}`, 1);
    }
    if (!Array.isArray(data)) throw new CliError(`${file}: expected a JSON list of decisions ({"value": ...})`, 1);
    data.forEach((d, i) => {
      if (d === null || typeof d !== 'object') throw new CliError(`${file}[${i}]: expected an object with a value`, 1);
      rows.push([d as RawRow, `${file}[${i}]`]);
    });
    return rows;
  }
  const lines = text.split(/\r?\n/);
  if (format === 'values') {
    lines.forEach((l, i) => {
      const v = l.trim();
      if (v !== '' && !v.startsWith('#')) rows.push([{ value: v }, `${file}:${i + 1}`]);
    });
    return rows;
  }
  let header: string[] | null = null;
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    const cells = splitCsv(l);
    if (!header) {
      header = cells.map((c) => c.toLowerCase());
      const unknown = header.find((h) => !CSV_COLUMNS.has(h));
      if (unknown !== undefined)
        throw new CliError(
          `${file}:${i + 1}: unknown CSV column '${unknown}' (expected ${[...CSV_COLUMNS].join(', ')})`,
          1,
        );
      if (!header.includes('value')) throw new CliError(`${file}:${i + 1}: the CSV header needs a 'value' column`, 1);
      return;
    }
    if (cells.length !== header.length)
      throw new CliError(`${file}:${i + 1}: ${cells.length} fields, the header has ${header.length}`, 1);
    const row: Record<string, string> = {};
    header.forEach((h, k) => {
      if (cells[k] !== '') row[h] = cells[k];
    });
    rows.push([row, `${file}:${i + 1}`]);
  });
  return rows;
}

function strField(r: RawRow, k: keyof RawRow, at: string): string | undefined {
  const v = r[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new CliError(`${at}: ${k}: expected a string`, 1);
  return String(v);
}

/** parses and validates the whole file before anything is sent (an error names the line) */
export function parseImport(text: string, file: string, format: ImportFormat, d: ImportDefaults): ManualDecision[] {
  const out: ManualDecision[] = [];
  for (const [r, at] of rowsOf(text, file, format)) {
    const value = strField(r, 'value', at);
    if (value === undefined) throw new CliError(`${at}: no value`, 1);
    const given = strField(r, 'scope', at) ?? d.scope;
    // a CIDR among IPs with no scope given is a Range (cscli users mix both in one list)
    const scope = given !== undefined ? normaliseScope(given) : value.includes('/') ? 'Range' : 'Ip';
    const bad = valueProblem(scope, value);
    if (bad) throw new CliError(`${at}: ${bad}`, 1);
    const duration = strField(r, 'duration', at) ?? d.duration;
    if (parseWireDuration(duration) === null) throw new CliError(`${at}: duration '${duration}' is not a duration`, 1);
    out.push({
      value,
      scope,
      duration,
      type: strField(r, 'type', at) ?? d.type,
      scenario: strField(r, 'reason', at) ?? strField(r, 'scenario', at) ?? d.reason,
      origin: 'cscli-import',
    });
  }
  return out;
}
