// acquis.yaml in CrowdSec's format: several YAML documents, each one data source
// (`source: file|syslog|journalctl|stdin`, `filenames`/`filename`, `labels.type`, ...).
// Owns the document loop and the fields every source has (source, labels, mode, unknown keys), with errors
// naming the file, the line, the document and the key; each module (sources.ts) decodes its own keys; mode,
// use_time_machine and transform are decoded here for all (transform is compiled by the agent). Keys of
// CrowdSec's sources that Picket does not implement are refused (REFUSED), never silently dropped. Also
// holds Picket's embedded default acquisition and the reading of an acquis.yaml plus an acquis.d/ folder.

import fs from 'node:fs';
import path from 'node:path';
import { readConfigText } from '../core/config-file.js';
import YAML from 'yaml';
import { asText, keyName, nodeLine } from '../core/yaml-strict.js';
import { sourceModule, sourceNames } from './sources.js';
import type { SourceConfig } from './source.js';
import { errorMessage, PicketError } from '../core/errors.js';
import { LOG_LEVEL_CHOICES, parseLogLevel } from '../core/log-level.js';

export type { FileConfig } from './file/source.js';
export type { SyslogConfig } from './syslog/source.js';
export type { JournalConfig } from './journald/source.js';
export type { StdinConfig } from './stdin/source.js';
/** A decoded acquisition document (FileConfig, SyslogConfig, JournalConfig, StdinConfig, ...). */
export type AcquisitionSource = SourceConfig;

/** An acquis.yaml that cannot be used (ACQUIS_BAD_CONFIG): names the file, the document and the field. */
export class AcquisitionConfigError extends PicketError {
  constructor(
    readonly file: string,
    readonly doc: number,
    message: string,
    readonly line = 0,
  ) {
    super('ACQUIS_BAD_CONFIG', `${file}${line > 0 ? `:${line}` : ''}: document ${doc}: ${message}`);
  }
}

/** CrowdSec keys Picket does not implement: refused with the reason (a silently dropped setting is worse) */
const REFUSED: Readonly<Record<string, string>> = {
  unique_id: 'an identifier CrowdSec keeps for appsec and transform bookkeeping, not implemented in Picket',
};

/** mode, use_time_machine, transform, name and log_level, which every source has */
function commonKeys(
  v: Record<string, unknown>,
  cfg: SourceConfig,
  catMode: boolean,
  fail: (msg: string, key?: string) => never,
  where: string,
): void {
  if (v.mode !== undefined && v.mode !== null) {
    const mode = asText(v.mode);
    if (mode !== 'tail' && mode !== 'cat') fail(`invalid "mode: ${mode}" (expected tail or cat)`, 'mode');
    if (mode === 'cat' && !catMode)
      fail(`"mode: cat" is not supported by the ${cfg.source} source in Picket (only by file sources)`, 'mode');
    cfg.mode = mode;
  }
  const tm = v.use_time_machine;
  if (tm !== undefined && tm !== null) {
    if (typeof tm !== 'boolean') fail('"use_time_machine": expected true or false', 'use_time_machine');
    cfg.useTimeMachine = tm;
  }
  if (v.transform !== undefined && v.transform !== null) {
    const t = asText(v.transform);
    if (t.trim() === '') fail('"transform": expected an expression', 'transform');
    cfg.transform = { expr: t, where: `${where}: transform` };
  }
  if (v.name !== undefined && v.name !== null) {
    const name = asText(v.name).trim();
    if (name === '') fail('"name": expected a name', 'name');
    cfg.name = name;
  }
  if (v.log_level !== undefined && v.log_level !== null) {
    const l = asText(v.log_level);
    cfg.logLevel = parseLogLevel(l) ?? fail(`"log_level: ${l}": unknown level (${LOG_LEVEL_CHOICES})`, 'log_level');
  }
}

/** a document's values with the line of each top-level key (for errors) */
function documentOf(
  doc: YAML.Document.Parsed,
  lc: YAML.LineCounter,
): { v: unknown; lines: Map<string, number>; start: number } {
  const lines = new Map<string, number>();
  if (YAML.isMap(doc.contents)) for (const p of doc.contents.items) lines.set(keyName(p.key), nodeLine(lc, p));
  return { v: doc.toJS() as unknown, lines, start: nodeLine(lc, doc.contents) };
}

export function parseAcquisition(text: string, file: string): AcquisitionSource[] {
  const out: AcquisitionSource[] = [];
  const lc = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(docs)) return out; // an empty stream
  docs.forEach((doc, i) => {
    const n = i + 1;
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new AcquisitionConfigError(file, n, e.message.split('\n')[0]!, e.linePos?.[0].line ?? 0);
    }
    const { v: raw, lines, start } = documentOf(doc, lc);
    const fail = (msg: string, key?: string): never => {
      const k = key ?? /"([\w.]+)"/.exec(msg)?.[1]?.split('.')[0];
      throw new AcquisitionConfigError(file, n, msg, (k !== undefined ? lines.get(k) : undefined) ?? start);
    };
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) fail('expected a mapping');
    const v = raw as Record<string, unknown>;
    for (const k of Object.keys(v)) if (k in REFUSED) fail(`"${k}" is not supported: ${REFUSED[k]}`, k);
    let source = v.source === undefined ? undefined : asText(v.source);
    if (source === undefined) {
      if (v.filenames !== undefined || v.filename !== undefined) source = 'file';
      else fail(`missing "source" (${sourceNames().join(', ')})`);
    }
    const mod = sourceModule(source!);
    if (!mod) return fail(`unknown source "${source}" (known: ${sourceNames().join(', ')})`);
    for (const k of Object.keys(v)) if (!mod.keys.has(k)) fail(`unknown field "${k}" for source ${source}`);
    const labelsRaw = v.labels;
    if (labelsRaw === undefined || labelsRaw === null || typeof labelsRaw !== 'object') {
      fail('missing "labels" (labels.type is required)');
    }
    const labels: Record<string, string> = {};
    for (const [k, lv] of Object.entries(labelsRaw as Record<string, unknown>)) labels[k] = asText(lv);
    if (!labels.type) fail('missing "labels.type"');
    const cfg = mod.parse(v, labels, fail);
    commonKeys(v, cfg, mod.catMode === true, fail, `${file}:${lines.get('transform') ?? start}: document ${n}`);
    out.push(cfg);
  });
  return out;
}

export function loadAcquisitionFile(file: string): AcquisitionSource[] {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (e) {
    throw new AcquisitionConfigError(file, 0, errorMessage(e));
  }
  return parseAcquisition(text, file);
}

/**
 * The sources of several acquisition paths, in order: a file is read as is, a folder (CrowdSec's
 * acquisition_dir, acquis.d/) contributes its *.yaml and *.yml files in name order.
 */
export function loadAcquisitionPaths(paths: readonly string[]): AcquisitionSource[] {
  const out: AcquisitionSource[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch (e) {
      throw new AcquisitionConfigError(p, 0, errorMessage(e));
    }
    const files = isDir
      ? fs
          .readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(p, f))
      : [p];
    for (const f of files) out.push(...loadAcquisitionFile(f));
  }
  return out;
}

/** Picket's embedded default acquisition (what `picket run` reads without a config). */
export const DEFAULT_ACQUISITION = `
filenames:
  - /var/log/auth.log
  - /var/log/syslog
  - /var/log/messages
labels:
  type: syslog
---
filenames:
  - /var/log/nginx/*access*.log
  - /var/log/nginx/*error*.log
labels:
  type: nginx
---
filenames:
  - /var/log/apache2/*access*.log
  - /var/log/apache2/*error*.log
  - /var/log/httpd/*_log
labels:
  type: apache2
`;
