// acquis.yaml in CrowdSec's format: several YAML documents, each one data source
// (`source: file|syslog|journalctl|stdin`, `filenames`/`filename`, `labels.type`, ...).
// Owns the document loop and the fields every source has (source, labels, unknown keys), with errors naming
// the file, the document and the field; each module (sources.ts) decodes its own keys. Also holds Picket's
// embedded default acquisition.

import { readConfigText } from '../core/config-file.js';
import YAML from 'yaml';
import { asText } from '../core/yaml-strict.js';
import { sourceModule, sourceNames } from './sources.js';
import type { SourceConfig } from './source.js';
import { errorMessage, PicketError } from '../core/errors.js';

export type { FileConfig } from './file/source.js';
export type { SyslogConfig } from './syslog/source.js';
export type { JournalConfig } from './journald/source.js';
export type { StdinConfig } from './stdin/source.js';
/** A decoded acquisition document (FileConfig, SyslogConfig, JournalConfig, StdinConfig, ...). */
export type AcquisitionSource = SourceConfig;

/** An acquis.yaml that cannot be used (ACQUIS_BAD_CONFIG): names the file, the document and the field. */
export class AcquisitionConfigError extends PicketError {
  constructor(readonly file: string, readonly doc: number, message: string) {
    super('ACQUIS_BAD_CONFIG', `${file}: document ${doc}: ${message}`);
  }
}

export function parseAcquisition(text: string, file: string): AcquisitionSource[] {
  const out: AcquisitionSource[] = [];
  const docs = YAML.parseAllDocuments(text);
  docs.forEach((doc, i) => {
    const n = i + 1;
    const fail = (msg: string): never => { throw new AcquisitionConfigError(file, n, msg); };
    if (doc.errors.length) fail(doc.errors[0]!.message);
    const v = doc.toJS() as Record<string, unknown> | null;
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) fail('expected a mapping');
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
    out.push(mod.parse(v, labels, fail));
  });
  return out;
}

export function loadAcquisitionFile(file: string): AcquisitionSource[] {
  let text: string;
  try { text = readConfigText(file); } catch (e) {
    throw new AcquisitionConfigError(file, 0, errorMessage(e));
  }
  return parseAcquisition(text, file);
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
