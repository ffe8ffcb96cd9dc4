// Notification configs in CrowdSec's format (`config_paths.notification_dir`, pkg/csplugin/broker.go): every
// *.yaml / *.yml file of the folder, each YAML document one notification: `type`, `name`, `format` (a Go
// template), `group_wait`, `group_threshold`, `max_retry` (attempts, default 1), `timeout` (default 5s),
// `log_level`, and the keys of its type. Values other than `format` get `${VAR}` / `$VAR` replaced by defined
// environment variables (undefined ones are left as written: csstring.StrictExpand). Owns parsing, key
// validation (unknown keys refused with file, line and key) and NotificationConfigError.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { PicketError } from '../core/errors.js';
import { parseGoDuration } from '../core/gotime.js';

export type NotificationType = 'http' | 'slack' | 'email' | 'file' | 'splunk';

export class NotificationConfigError extends PicketError {
  constructor(message: string) {
    super('NOTIFY_CONFIG', message);
  }
}

/** The keys of each type besides the common ones (CrowdSec's plugin PluginConfig structs). */
export const TYPE_KEYS: Record<NotificationType, readonly string[]> = {
  http: ['url', 'method', 'headers', 'skip_tls_verification', 'cert_path', 'key_path', 'ca_cert_path', 'unix_socket'],
  slack: ['webhook', 'channel', 'username', 'icon_emoji', 'icon_url'],
  email: [
    'smtp_host',
    'smtp_port',
    'smtp_username',
    'smtp_password',
    'auth_type',
    'sender_email',
    'sender_name',
    'receiver_emails',
    'email_subject',
    'encryption_type',
    'helo_host',
    'connect_timeout',
    'send_timeout',
  ],
  file: ['log_path', 'rotate'],
  splunk: ['url', 'token', 'ca_cert_path', 'skip_tls_verification'],
};
const COMMON_KEYS = ['type', 'name', 'format', 'group_wait', 'group_threshold', 'max_retry', 'timeout', 'log_level'];
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'off', '']);

export interface NotificationConfig {
  type: NotificationType;
  name: string;
  format: string;
  groupWaitMs: number;
  groupThreshold: number;
  maxRetry: number;
  timeoutMs: number;
  logLevel: string;
  /** the type's own keys, env-expanded (YAML values as parsed) */
  options: Record<string, unknown>;
  /** `file:line` of the document, and of each key, for messages */
  where: string;
  keyWhere: Record<string, string>;
}

/** csstring.StrictExpand: `${VAR}` and `$VAR` replaced when VAR is defined, left as written otherwise. */
export function strictExpand(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (m, a?: string, b?: string) => {
    const v = env[a ?? b ?? ''];
    return v === undefined ? m : v;
  });
}

function expandDeep(v: unknown): unknown {
  if (typeof v === 'string') return strictExpand(v);
  if (Array.isArray(v)) return v.map(expandDeep);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, expandDeep(x)]));
  }
  return v;
}

class DocReader {
  constructor(
    readonly file: string,
    readonly lc: YAML.LineCounter,
    readonly doc: YAML.Document.Parsed,
  ) {}

  lineOf(node: unknown): number {
    const r = YAML.isNode(node) ? node.range : undefined;
    return r ? this.lc.linePos(r[0]).line : 0;
  }

  fail(node: unknown, key: string | null, why: string): never {
    const line = this.lineOf(node) || this.lineOf(this.doc.contents);
    throw new NotificationConfigError(`${this.file}:${line}: ${key === null ? '' : `${key}: `}${why}`);
  }
}

function scalarText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function duration(r: DocReader, node: unknown, key: string, v: unknown, dflt: number): number {
  if (v === null || v === undefined || v === '') return dflt;
  if (typeof v === 'number' && Number.isInteger(v)) return v / 1e6; // yaml.v2: a bare integer is nanoseconds
  try {
    const ns = parseGoDuration(String(v));
    if (ns < 0) throw new Error('negative');
    return ns / 1e6;
  } catch {
    return r.fail(node, key, `'${String(v)}' is not a duration (e.g. 30s, 5m)`);
  }
}

function integer(r: DocReader, node: unknown, key: string, v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return r.fail(node, key, 'expected a whole number ≥ 0');
  return n;
}

function readDoc(r: DocReader, m: YAML.YAMLMap): NotificationConfig | null {
  const raw: Record<string, unknown> = {};
  const nodes: Record<string, unknown> = {};
  const keyWhere: Record<string, string> = {};
  for (const pair of m.items) {
    const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    raw[key] = YAML.isNode(pair.value) ? pair.value.toJS(r.doc) : pair.value;
    nodes[key] = pair.value ?? pair.key;
    keyWhere[key] = `${r.file}:${r.lineOf(pair.key)}`;
    if (YAML.isMap(pair.value)) {
      for (const sub of pair.value.items)
        keyWhere[`${key}.${YAML.isScalar(sub.key) ? String(sub.key.value) : String(sub.key)}`] =
          `${r.file}:${r.lineOf(sub.key)}`;
    }
  }
  const type = scalarText(raw.type);
  if (!type) return r.fail(m, 'type', "missing required field 'type'");
  if (!(type in TYPE_KEYS))
    return r.fail(
      nodes.type,
      'type',
      `unknown notification type '${type}' (expected ${Object.keys(TYPE_KEYS).join(', ')})`,
    );
  const allowed = new Set([...COMMON_KEYS, ...TYPE_KEYS[type as NotificationType]]);
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k))
      r.fail(
        m.items.find((p) => YAML.isScalar(p.key) && String(p.key.value) === k)?.key,
        k,
        `unknown key for a ${type} notification (expected ${[...allowed].join(', ')})`,
      );
  }
  const name = scalarText(raw.name);
  if (!name) return r.fail(m, 'name', "missing required field 'name'");
  const format = raw.format === null || raw.format === undefined ? '' : scalarText(raw.format);
  if (format === null) return r.fail(nodes.format, 'format', 'expected a string (a Go template)');
  const logLevel = scalarText(raw.log_level) ?? '';
  if (!LOG_LEVELS.has(logLevel.toLowerCase()))
    r.fail(nodes.log_level, 'log_level', `unknown level '${logLevel}' (trace, debug, info, warn, error, off)`);
  const options: Record<string, unknown> = {};
  for (const k of TYPE_KEYS[type as NotificationType]) if (k in raw) options[k] = expandDeep(raw[k]);
  const maxRetry = integer(r, nodes.max_retry, 'max_retry', raw.max_retry);
  return {
    type: type as NotificationType,
    name,
    format,
    logLevel,
    groupWaitMs: duration(r, nodes.group_wait, 'group_wait', raw.group_wait, 0),
    groupThreshold: integer(r, nodes.group_threshold, 'group_threshold', raw.group_threshold),
    maxRetry: maxRetry === 0 ? 1 : maxRetry,
    timeoutMs: duration(r, nodes.timeout, 'timeout', raw.timeout, 5000) || 5000,
    options,
    where: `${r.file}:${r.lineOf(m)}`,
    keyWhere,
  };
}

/** Parses one notification file (several YAML documents; empty ones skipped). */
export function parseNotificationFile(text: string, file: string): NotificationConfig[] {
  const lc = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  const out: NotificationConfig[] = [];
  for (const doc of docs) {
    const r = new DocReader(file, lc, doc);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const why = e.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
      throw new NotificationConfigError(`${file}:${e.linePos?.[0].line ?? 0}: not valid YAML: ${why}`);
    }
    const c = doc.contents;
    if (c === null || (YAML.isScalar(c) && (c.value === null || c.value === ''))) continue;
    if (!YAML.isMap(c)) r.fail(c, null, 'expected a mapping (type, name, format ...)');
    const cfg = readDoc(r, c as YAML.YAMLMap);
    if (cfg) out.push(cfg);
  }
  return out;
}

/**
 * Every notification of `dir` (files in name order, *.yaml / *.yml). A missing folder gives none; a name
 * defined twice is refused (CrowdSec warns and keeps the last one, which hides a mistake).
 */
export function loadNotificationDir(dir: string): Map<string, NotificationConfig> {
  const out = new Map<string, NotificationConfig>();
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new NotificationConfigError(`cannot read notification_dir ${dir}: ${(e as Error).message}`);
  }
  for (const f of names) {
    const file = path.join(dir, f);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new NotificationConfigError(`cannot read ${file}: ${(e as Error).message}`);
    }
    for (const cfg of parseNotificationFile(text, file)) {
      const prev = out.get(cfg.name);
      if (prev)
        throw new NotificationConfigError(
          `${cfg.where}: notification '${cfg.name}' is already defined at ${prev.where}`,
        );
      out.set(cfg.name, cfg);
    }
  }
  return out;
}
