// CrowdSec's own config.yaml (`picket run --config /etc/crowdsec/config.yaml`): the keys that apply to Picket
// become a PicketConfig (config_paths -> config/data/hub folders, crowdsec_service acquisition files, api.server
// listen_uri, profiles_path, trusted_ips, tls, online_client (+ console_path's share_* options), db_config
// flush -> retention and db_path, prometheus -> metrics address, common log_level, config_paths simulation_path and
// notification_dir, crowdsec_service console_context_path and console_context_value_length); every other key set
// in the file is listed by its dotted name in `ignored`, for `picket run` to print. Owns: detecting the format and this
// mapping. Type errors name the file, the line and the key.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseWireDuration } from '../api/wire-time.js';
import { LOG_LEVEL_CHOICES, parseLogLevel, type LogLevel } from '../core/log-level.js';
import type { PicketConfig, RetentionConfig, TlsConfig } from './config.js';
import { fromCrowdsecOnline, type CrowdsecOnlineKeys } from './online-client.js';

/** console.yaml's keys that are crowd sharing options (the others: console management, Picket has no console) */
const CONSOLE_SHARE_KEYS = {
  share_manual_decisions: 'shareManualDecisions',
  share_custom: 'shareCustom',
  share_tainted: 'shareTainted',
  share_context: 'shareContext',
} as const;
const CONSOLE_MAX_BYTES = 64 * 1024;

/** Top-level keys only CrowdSec's file has (Picket's own file has none of them). */
const CROWDSEC_KEYS = [
  'common',
  'config_paths',
  'crowdsec_service',
  'cscli',
  'db_config',
  'api',
  'prometheus',
  'plugin_config',
];

export function isCrowdsecConfig(top: Record<string, unknown>): boolean {
  return CROWDSEC_KEYS.some((k) => k in top);
}

/** A walker over the YAML tree that records which leaves were used and fails with file:line. */
class Reader {
  readonly used = new Set<string>();
  constructor(
    private readonly doc: YAML.Document,
    private readonly lc: YAML.LineCounter,
    private readonly file: string,
    private readonly errorOf: (message: string) => Error,
  ) {}

  private node(key: string): unknown {
    return this.doc.getIn(key.split('.'), true);
  }

  fail(key: string, why: string): never {
    const n = this.node(key);
    const r = YAML.isNode(n) ? n.range : undefined;
    throw this.errorOf(`${this.file}${r ? `:${this.lc.linePos(r[0]).line}` : ''}: ${key}: ${why}`);
  }

  /** A non-empty string (numbers accepted: ports), or undefined when absent or null. */
  str(key: string): string | undefined {
    const n = this.node(key);
    if (n === undefined || (YAML.isScalar(n) && (n.value === null || n.value === ''))) {
      this.used.add(key);
      return undefined;
    }
    this.used.add(key);
    if (YAML.isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    return this.fail(key, 'expected a string');
  }

  bool(key: string): boolean | undefined {
    const n = this.node(key);
    this.used.add(key);
    if (n === undefined || (YAML.isScalar(n) && n.value === null)) return undefined;
    if (YAML.isScalar(n) && typeof n.value === 'boolean') return n.value;
    return this.fail(key, 'expected true or false');
  }

  list(key: string): string[] | undefined {
    const n = this.node(key);
    this.used.add(key);
    if (n === undefined || (YAML.isScalar(n) && n.value === null)) return undefined;
    if (!YAML.isSeq(n)) return this.fail(key, 'expected a list');
    return n.items.map((it, i) =>
      YAML.isScalar(it) && it.value !== null ? String(it.value) : this.fail(`${key}`, `item ${i + 1} is not a string`),
    );
  }

  /** dotted names of every leaf set in the file that was not read */
  unused(): string[] {
    const out: string[] = [];
    const walk = (n: unknown, prefix: string): void => {
      if (YAML.isMap(n)) {
        for (const p of n.items)
          walk(
            p.value,
            prefix
              ? `${prefix}.${String(YAML.isScalar(p.key) ? p.key.value : p.key)}`
              : String(YAML.isScalar(p.key) ? p.key.value : p.key),
          );
        return;
      }
      if (YAML.isScalar(n) && n.value === null) return;
      if ([...this.used].some((u) => prefix === u || prefix.startsWith(`${u}.`))) return;
      out.push(prefix);
    };
    walk(this.doc.contents, '');
    return out;
  }
}

function tlsOf(r: Reader): TlsConfig | undefined {
  const cert = r.str('api.server.tls.cert_file'),
    key = r.str('api.server.tls.key_file');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) return r.fail('api.server.tls.cert_file', 'missing');
  if (key === undefined) return r.fail('api.server.tls.key_file', 'missing');
  const t: TlsConfig = { certFile: cert, keyFile: key };
  const ca = r.str('api.server.tls.ca_file');
  if (ca !== undefined) t.caFile = ca;
  const b = r.list('api.server.tls.bouncers_allowed_ou'),
    a = r.list('api.server.tls.agents_allowed_ou');
  if (b) t.bouncersAllowedOu = b;
  if (a) t.agentsAllowedOu = a;
  return t;
}

function retentionOf(r: Reader): RetentionConfig | undefined {
  const age = r.str('db_config.flush.max_age'),
    items = r.str('db_config.flush.max_items');
  if (age === undefined && items === undefined) return undefined;
  const out: RetentionConfig = {};
  if (age !== undefined) {
    const ms = parseWireDuration(age);
    if (ms === null || ms <= 0)
      r.fail('db_config.flush.max_age', `'${age}' is not a positive duration (e.g. 7d, 168h)`);
    out.maxAgeMs = ms as number;
  }
  if (items !== undefined) {
    const n = Number(items);
    if (!Number.isInteger(n) || n < 0) r.fail('db_config.flush.max_items', 'expected a whole number ≥ 0');
    out.maxItems = n;
  }
  return out;
}

function metricsOf(r: Reader): string | undefined {
  const enabled = r.bool('prometheus.enabled');
  r.used.add('prometheus.level');
  if (enabled === false) return 'off';
  const addr = r.str('prometheus.listen_addr'),
    port = r.str('prometheus.listen_port');
  if (addr === undefined && port === undefined) return undefined;
  const host = addr ?? '127.0.0.1';
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? '6060'}`;
}

/** crowdsec_service.console_context_value_length: bytes, 0 (default) to 4000 */
function contextLengthOf(r: Reader): number | undefined {
  const key = 'crowdsec_service.console_context_value_length';
  const s = r.str(key);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 4000) r.fail(key, `'${s}': expected a whole number of bytes from 0 to 4000`);
  return n;
}

/** The acquisition files: acquisition_path, then acquisition_dir's *.yaml in name order. */
function acquisitionFiles(r: Reader): string[] {
  const files: string[] = [];
  const main = r.str('crowdsec_service.acquisition_path');
  if (main !== undefined) files.push(main);
  const dir = r.str('crowdsec_service.acquisition_dir');
  if (dir !== undefined) {
    let names: string[] = [];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort();
    } catch {
      /* no acquis.d */
    }
    for (const n of names) files.push(path.join(dir, n));
  }
  return files;
}

/** api.server.console_path (CrowdSec's console.yaml): its share_* switches; a missing file keeps the defaults */
function consoleShares(file: string, errorOf: (message: string) => Error): Partial<CrowdsecOnlineKeys> {
  let text: string;
  let size: number;
  try {
    size = fs.statSync(file).size;
    text = size > CONSOLE_MAX_BYTES ? '' : fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw errorOf(`${file}: cannot read it (${(e as Error).message})`);
  }
  if (size > CONSOLE_MAX_BYTES) throw errorOf(`${file}: larger than ${CONSOLE_MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw errorOf(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const out: Partial<CrowdsecOnlineKeys> = {};
  if (typeof doc !== 'object' || doc === null) return out;
  for (const [k, field] of Object.entries(CONSOLE_SHARE_KEYS)) {
    const v = (doc as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw errorOf(`${file}: ${k}: expected true or false`);
    out[field] = v;
  }
  return out;
}

function onlineClientOf(r: Reader, errorOf: (message: string) => Error): PicketConfig['onlineClient'] {
  const pre = 'api.server.online_client';
  const keys: CrowdsecOnlineKeys = {
    credentialsPath: r.str(`${pre}.credentials_path`),
    sharing: r.bool(`${pre}.sharing`),
    pullCommunity: r.bool(`${pre}.pull.community`),
    pullBlocklists: r.bool(`${pre}.pull.blocklists`),
  };
  const consolePath = r.str('api.server.console_path');
  if (consolePath !== undefined) Object.assign(keys, consoleShares(consolePath, errorOf));
  return fromCrowdsecOnline(keys) ?? undefined;
}

/** common.log_level, refused (file, line, key) when it is not a level */
function logLevelOf(r: Reader): LogLevel | undefined {
  const s = r.str('common.log_level');
  if (s === undefined) return undefined;
  return parseLogLevel(s) ?? r.fail('common.log_level', `unknown level '${s}' (${LOG_LEVEL_CHOICES})`);
}

/** Maps a parsed CrowdSec config document to Picket's config; `errorOf` makes the error thrown for a bad value. */
export function fromCrowdsecDocument(
  doc: YAML.Document,
  lc: YAML.LineCounter,
  file: string,
  errorOf: (message: string) => Error,
): PicketConfig {
  const r = new Reader(doc, lc, file, errorOf);
  const cfg: PicketConfig = { file, format: 'crowdsec' };
  const set = <K extends keyof PicketConfig>(k: K, v: PicketConfig[K] | undefined): void => {
    if (v !== undefined) cfg[k] = v;
  };
  set('configDir', r.str('config_paths.config_dir'));
  set('dataDir', r.str('config_paths.data_dir'));
  set('hubDir', r.str('config_paths.hub_dir'));
  set('simulationPath', r.str('config_paths.simulation_path'));
  set('notificationDir', r.str('config_paths.notification_dir'));
  set('consoleContextPath', r.str('crowdsec_service.console_context_path'));
  set('consoleContextValueLength', contextLengthOf(r));
  r.used.add('config_paths.index_path'); // hub_dir/.index.json, as cscli writes it
  set('listen', r.str('api.server.listen_uri'));
  set('profilesPath', r.str('api.server.profiles_path'));
  set('trustedIps', r.list('api.server.trusted_ips'));
  set('tls', tlsOf(r));
  set('onlineCredentialsPath', r.str('api.server.online_client.credentials_path'));
  set('onlineClient', onlineClientOf(r, errorOf));
  set('credentialsPath', r.str('api.client.credentials_path'));
  set('retention', retentionOf(r));
  set('dbPath', r.str('db_config.db_path'));
  set('metricsListen', metricsOf(r));
  set('logLevel', logLevelOf(r));
  const acquis = acquisitionFiles(r);
  if (acquis.length) cfg.acquisitionFiles = acquis;
  cfg.ignored = r.unused();
  return cfg;
}
