// acquis.yaml in CrowdSec's format: several YAML documents, each one data source
// (`source: file|syslog|journalctl|stdin`, `filenames`/`filename`, `labels.type`, ...).
// Owns parsing and validation of those documents into typed AcquisitionSource values, with errors
// naming the file, the document and the field. Also holds Picket's embedded default acquisition.

import fs from 'node:fs';
import YAML from 'yaml';

export interface FileSource { source: 'file'; filenames: string[]; labels: Record<string, string>; pollMs?: number }
export interface SyslogSource { source: 'syslog'; listenAddr: string; listenPort: number; protocol: 'udp' | 'tcp' | 'both'; labels: Record<string, string> }
export interface JournalSource { source: 'journalctl'; journalctlFilter: string[]; labels: Record<string, string> }
export interface StdinSource { source: 'stdin'; labels: Record<string, string> }
export type AcquisitionSource = FileSource | SyslogSource | JournalSource | StdinSource;

export class AcquisitionConfigError extends Error {
  constructor(readonly file: string, readonly doc: number, message: string) {
    super(`${file}: document ${doc}: ${message}`);
    this.name = 'AcquisitionConfigError';
  }
}

const KNOWN_KEYS: Record<string, Set<string>> = {
  file: new Set(['source', 'filenames', 'filename', 'labels', 'mode', 'poll_without_inotify', 'force_inotify', 'exclude_regexps', 'max_buffer_size', 'use_time_machine', 'name', 'log_level', 'transform', 'use_time_machine']),
  syslog: new Set(['source', 'listen_addr', 'listen_port', 'protocol', 'labels', 'max_message_len', 'mode', 'name', 'log_level', 'transform']),
  journalctl: new Set(['source', 'journalctl_filter', 'labels', 'mode', 'name', 'log_level', 'transform', 'since']),
  stdin: new Set(['source', 'labels', 'mode', 'name', 'log_level', 'transform']),
};

function str(v: unknown): string { return typeof v === 'string' ? v : String(v); }

export function parseAcquisition(text: string, file: string): AcquisitionSource[] {
  const out: AcquisitionSource[] = [];
  const docs = YAML.parseAllDocuments(text);
  docs.forEach((doc, i) => {
    const n = i + 1;
    if (doc.errors.length) throw new AcquisitionConfigError(file, n, doc.errors[0]!.message);
    const v = doc.toJS() as Record<string, unknown> | null;
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) throw new AcquisitionConfigError(file, n, 'expected a mapping');
    let source = v.source === undefined ? undefined : str(v.source);
    if (source === undefined) {
      if (v.filenames !== undefined || v.filename !== undefined) source = 'file';
      else throw new AcquisitionConfigError(file, n, 'missing "source" (file, syslog, journalctl, stdin)');
    }
    const known = KNOWN_KEYS[source];
    if (!known) throw new AcquisitionConfigError(file, n, `unknown source "${source}" (known: ${Object.keys(KNOWN_KEYS).join(', ')})`);
    for (const k of Object.keys(v)) if (!known.has(k)) throw new AcquisitionConfigError(file, n, `unknown field "${k}" for source ${source}`);
    const labelsRaw = v.labels;
    if (labelsRaw === undefined || labelsRaw === null || typeof labelsRaw !== 'object') throw new AcquisitionConfigError(file, n, 'missing "labels" (labels.type is required)');
    const labels: Record<string, string> = {};
    for (const [k, lv] of Object.entries(labelsRaw as Record<string, unknown>)) labels[k] = str(lv);
    if (!labels.type) throw new AcquisitionConfigError(file, n, 'missing "labels.type"');
    switch (source) {
      case 'file': {
        const names: string[] = [];
        if (v.filename !== undefined) names.push(str(v.filename));
        if (v.filenames !== undefined) {
          if (!Array.isArray(v.filenames)) throw new AcquisitionConfigError(file, n, '"filenames" must be a list');
          for (const f of v.filenames) names.push(str(f));
        }
        if (names.length === 0) throw new AcquisitionConfigError(file, n, 'file source without "filenames" or "filename"');
        out.push({ source: 'file', filenames: names, labels });
        break;
      }
      case 'syslog': {
        const port = v.listen_port === undefined ? 514 : Number(v.listen_port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AcquisitionConfigError(file, n, `invalid "listen_port": ${str(v.listen_port)}`);
        const protocol = v.protocol === undefined ? 'both' : str(v.protocol);
        if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'both') throw new AcquisitionConfigError(file, n, `invalid "protocol": ${protocol}`);
        out.push({ source: 'syslog', listenAddr: v.listen_addr === undefined ? '127.0.0.1' : str(v.listen_addr), listenPort: port, protocol, labels });
        break;
      }
      case 'journalctl': {
        const f = v.journalctl_filter;
        if (!Array.isArray(f) || f.length === 0) throw new AcquisitionConfigError(file, n, 'journalctl source needs a non-empty "journalctl_filter" list');
        out.push({ source: 'journalctl', journalctlFilter: f.map(str), labels });
        break;
      }
      case 'stdin':
        out.push({ source: 'stdin', labels });
        break;
    }
  });
  return out;
}

export function loadAcquisitionFile(file: string): AcquisitionSource[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new AcquisitionConfigError(file, 0, (e as Error).message); }
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
