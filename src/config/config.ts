// Picket's config file (`--config FILE`, default /etc/picket/config.yaml when it exists), YAML:
//   data_dir: /var/lib/picket
//   listen: 127.0.0.1:8080            # LAPI
//   profiles_path: /etc/picket/profiles.yaml
//   trusted_ips: [127.0.0.1, "::1"]
//   tls: {cert_file: ..., key_file: ..., ca_file: ...,
//         bouncers_allowed_ou: [bouncer-ou], agents_allowed_ou: [agent-ou]}
//   retention: {max_age: 7d, max_items: 5000}
//   metrics: {listen: 127.0.0.1:6060}
//   notification_dir: /etc/picket/notifications   # CrowdSec's config_paths.notification_dir
//   simulation_path: /etc/picket/simulation.yaml  # CrowdSec's config_paths.simulation_path
//   acquisition_path: /etc/picket/acquis.yaml     # CrowdSec's crowdsec_service.acquisition_path
//   acquisition_dir: /etc/picket/acquis.d         # CrowdSec's crowdsec_service.acquisition_dir
//   console_context_path: /etc/picket/console/context.yaml  # alert context (crowdsec_service.console_context_path)
//   console_context_value_length: 4000            # bytes of one context value (at most 4000)
//   report: {schedule: monthly, output_dir: /var/lib/picket/reports, notify: email-ops}  # notify = notification
//   console: {enabled: true, listen: 127.0.0.1:8081}   # web console (src/console); default: on when loopback, /ui
//   hub_dir: /var/lib/picket/hub  config_dir: /etc/picket  hub_url: https://...   # hub items (src/hub)
// CrowdSec's config.yaml is read too (detected by its keys; mapping in ./crowdsec.ts).
//   buckets: {max_live: 1000000}      # ceiling on live buckets (src/buckets/eviction.ts)
//   online_client: {credentials_path: ..., sharing: minimal, share_custom: true, ..., pull: {interval: 2h}}
//                                     # the central API (./online-client.ts; absent: nothing leaves the machine)
//   log_level: info                   # trace, debug, info, warn, error (src/core/log-level.ts)
//   rdns: {enabled: true, dns_servers: [...], timeout: 2s, ...}   # reverse DNS (./rdns.ts)
// Owns: reading and validating it. Every error names the file, the line and the key; unknown keys are errors
// (a typo must not silently fall back to a default).

import { ConfigFileTooLargeError, readConfigText } from '../core/config-file.js';
import fs from 'node:fs';
import { keyName } from '../core/yaml-strict.js';
import YAML from 'yaml';
import { parseWireDuration } from '../api/wire-time.js';
import { DEFAULT_CONFIG_FILE } from './defaults.js';
import { fromCrowdsecDocument, isCrowdsecConfig } from './crowdsec.js';
import { CapiConfigError, parseOnlineClient, type OnlineClientConfig } from './online-client.js';
import { parseRdnsBlock, type RdnsSettings } from './rdns.js';

/** highest buckets.max_live / --max-buckets (the WASM table's slots are i32-indexed) */
export const MAX_LIVE_LIMIT = 50_000_000;
import { PicketError, errorMessage, errorCode } from '../core/errors.js';
import { LOG_LEVEL_CHOICES, parseLogLevel, type LogLevel } from '../core/log-level.js';

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  caFile?: string;
  bouncersAllowedOu?: string[];
  agentsAllowedOu?: string[];
}
export interface RetentionConfig {
  maxAgeMs?: number;
  maxItems?: number;
}
/** the monthly report of `picket run` (src/report/schedule.ts) */
export interface ReportConfig {
  schedule: 'monthly' | 'off';
  outputDir?: string;
  notification?: string;
}

/** the web console (src/console): `listen` is its own address (default: the LAPI's listener, under /ui) */
export interface ConsoleConfig {
  /** default: on only when the console's address (its own, else the LAPI's) is a loopback one */
  enabled?: boolean;
  listen?: string;
}

export interface PicketConfig {
  /** the file it came from (null: no file) */
  file: string | null;
  dataDir?: string;
  listen?: string;
  profilesPath?: string;
  trustedIps?: string[];
  tls?: TlsConfig;
  retention?: RetentionConfig;
  metricsListen?: string;
  notificationDir?: string;
  /** simulation.yaml (CrowdSec's format) */
  simulationPath?: string;
  acquisitionPath?: string;
  acquisitionDir?: string;
  /** alert context file (console/context.yaml's format); default config_dir/console/context.yaml when present */
  consoleContextPath?: string;
  /** bytes of one alert context value (CrowdSec's console_context_value_length; 0 = 4000) */
  consoleContextValueLength?: number;
  report?: ReportConfig;
  console?: ConsoleConfig;
  /** hub management (src/hub): downloaded items, enabled items (links; `picket run` loads them), hub URL */
  hubDir?: string;
  configDir?: string;
  hubUrl?: string;
  /** 'crowdsec': read from CrowdSec's config.yaml (./crowdsec.ts); the fields below come only from it */
  format?: 'picket' | 'crowdsec';
  acquisitionFiles?: string[];
  onlineCredentialsPath?: string;
  /** the central API (online_client; CrowdSec: api.server.online_client); absent: no sharing, no pull */
  onlineClient?: OnlineClientConfig;
  credentialsPath?: string;
  dbPath?: string;
  /** log_level (CrowdSec: common.log_level); --log-level overrides it */
  logLevel?: LogLevel;
  /** CrowdSec keys set in the file that Picket does not use (dotted names) */
  ignored?: string[];
  /** buckets.max_live: ceiling on live buckets and blackhole records (0 = none) */
  maxLiveBuckets?: number;
  /** rdns: reverse DNS settings (./rdns.ts; unset: on with the defaults) */
  rdns?: RdnsSettings;
}

/** A config file that cannot be used (code CONFIG_BAD_FILE); the message names the file, line and key. */
export class ConfigError extends PicketError {
  constructor(message: string) {
    super('CONFIG_BAD_FILE', message);
  }
}

type Reporter = (node: unknown, key: string, why: string) => never;

function str(v: unknown, key: string, fail: Reporter): string {
  if (YAML.isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number') && String(v.value) !== '')
    return String(v.value);
  return fail(v, key, 'expected a non-empty string');
}

function mapOf(v: unknown, key: string, fail: Reporter): YAML.YAMLMap {
  if (YAML.isMap(v)) return v;
  return fail(v, key, 'expected a mapping');
}

function parseReport(v: unknown, fail: Reporter): ReportConfig {
  const m = mapOf(v, 'report', fail);
  const r: ReportConfig = { schedule: 'off' };
  let schedule: unknown = null;
  for (const p of m.items) {
    const k = keyName(p.key);
    if (k === 'schedule') {
      schedule = p.value;
      const s = str(p.value, 'report.schedule', fail);
      if (s !== 'monthly' && s !== 'off') fail(p.value, 'report.schedule', `'${s}': expected monthly or off`);
      r.schedule = s as ReportConfig['schedule'];
    } else if (k === 'output_dir') r.outputDir = str(p.value, 'report.output_dir', fail);
    else if (k === 'notification' || k === 'notify') {
      if (r.notification !== undefined) fail(p.key, `report.${k}`, 'notify and notification are the same key: set one');
      r.notification = str(p.value, `report.${k}`, fail);
    } else fail(p.key, `report.${k}`, 'unknown key (expected schedule, output_dir, notify or notification)');
  }
  if (schedule === null) fail(v, 'report.schedule', 'missing (monthly or off)');
  if (r.schedule === 'monthly' && r.outputDir === undefined)
    fail(v, 'report.output_dir', 'missing (the folder the reports are written to)');
  return r;
}

/** online_client (./online-client.ts validates the plain value; a bad key is named with its line here) */
function parseOnlineSection(
  cfg: PicketConfig,
  v: unknown,
  keyNode: unknown,
  doc: YAML.Document,
  lineOf: (n: unknown) => string,
  file: string,
): void {
  let c: OnlineClientConfig | null;
  try {
    c = parseOnlineClient(YAML.isNode(v) ? v.toJSON() : v, file);
  } catch (e) {
    if (!(e instanceof CapiConfigError)) throw e;
    const parts = e.key ? ['online_client', ...e.key.split('.')] : ['online_client'];
    // the key's own node for an unknown key, else its value (or the nearest node that exists)
    let node: unknown = undefined;
    for (let n = parts.length; n > 0 && node === undefined; n--) node = doc.getIn(parts.slice(0, n), true);
    const where = lineOf(node ?? keyNode);
    throw new ConfigError(e.message.replace(`${file}: `, `${file}${where}: `));
  }
  if (c === null) return;
  cfg.onlineClient = c;
  cfg.onlineCredentialsPath = c.credentialsPath;
}

function parseConsole(v: unknown, fail: Reporter): ConsoleConfig {
  const c: ConsoleConfig = {};
  for (const p of mapOf(v, 'console', fail).items) {
    const k = keyName(p.key);
    if (k === 'enabled') {
      if (!YAML.isScalar(p.value) || typeof p.value.value !== 'boolean')
        fail(p.value ?? p.key, 'console.enabled', 'expected true or false');
      c.enabled = (p.value as YAML.Scalar<boolean>).value;
    } else if (k === 'listen') {
      const s = str(p.value, 'console.listen', fail);
      const m = /^(?:\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(s);
      if (m === null || Number(m[1]) > 65535)
        fail(p.value, 'console.listen', `'${s}': expected HOST:PORT (e.g. 127.0.0.1:8081, [::1]:8081)`);
      c.listen = s;
    } else fail(p.key, `console.${k}`, 'unknown key (expected enabled, listen)');
  }
  return c;
}

/** tls: the LAPI's certificate, key and client-certificate checks */
function parseTls(v: unknown, fail: Reporter): TlsConfig {
  const m = mapOf(v, 'tls', fail);
  const t: Partial<TlsConfig> = {};
  for (const p of m.items) {
    const k = keyName(p.key);
    if (k === 'cert_file') t.certFile = str(p.value, `tls.${k}`, fail);
    else if (k === 'key_file') t.keyFile = str(p.value, `tls.${k}`, fail);
    else if (k === 'ca_file') t.caFile = str(p.value, `tls.${k}`, fail);
    else if (k === 'bouncers_allowed_ou' || k === 'agents_allowed_ou') {
      if (!YAML.isSeq(p.value)) fail(p.value ?? p.key, `tls.${k}`, 'expected a list of certificate OUs');
      const ous = (p.value as YAML.YAMLSeq).items.map((it, i) => str(it, `tls.${k}[${i}]`, fail));
      if (k === 'bouncers_allowed_ou') t.bouncersAllowedOu = ous;
      else t.agentsAllowedOu = ous;
    } else
      fail(
        p.key,
        `tls.${k}`,
        'unknown key (expected cert_file, key_file, ca_file, bouncers_allowed_ou, agents_allowed_ou)',
      );
  }
  if ((t.bouncersAllowedOu || t.agentsAllowedOu) && !t.caFile)
    fail(v, 'tls.ca_file', 'missing (needed by bouncers_allowed_ou / agents_allowed_ou)');
  if (!t.certFile) fail(v, 'tls.cert_file', 'missing');
  if (!t.keyFile) fail(v, 'tls.key_file', 'missing');
  return t as TlsConfig;
}

/** retention: how long and how many alerts the store keeps */
function parseRetention(v: unknown, fail: Reporter): RetentionConfig {
  const m = mapOf(v, 'retention', fail);
  const r: RetentionConfig = {};
  for (const p of m.items) {
    const k = keyName(p.key);
    if (k === 'max_age') {
      const s = str(p.value, `retention.${k}`, fail);
      const ms = parseWireDuration(s);
      if (ms === null || ms <= 0) fail(p.value, `retention.${k}`, `'${s}' is not a positive duration (e.g. 7d, 168h)`);
      r.maxAgeMs = ms as number;
    } else if (k === 'max_items') {
      const n = YAML.isScalar(p.value) ? p.value.value : undefined;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        fail(p.value ?? p.key, `retention.${k}`, 'expected a whole number ≥ 0');
      r.maxItems = n as number;
    } else fail(p.key, `retention.${k}`, 'unknown key (expected max_age, max_items)');
  }
  return r;
}

/** metrics: the Prometheus endpoint's address */
function parseMetricsSection(cfg: PicketConfig, v: unknown, fail: Reporter): void {
  const m = mapOf(v, 'metrics', fail);
  for (const p of m.items) {
    const k = keyName(p.key);
    if (k === 'listen') cfg.metricsListen = str(p.value, `metrics.${k}`, fail);
    else fail(p.key, `metrics.${k}`, 'unknown key (expected listen)');
  }
}

/** the YAML document (a syntax error names its line) and the reporters naming the file and line of a node */
function openDocument(
  text: string,
  file: string,
): { doc: YAML.Document; lc: YAML.LineCounter; lineOf: (n: unknown) => string; fail: Reporter } {
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(
      `${file}${e.linePos ? `:${e.linePos[0].line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`,
    );
  }
  const lineOf = (n: unknown): string => {
    const r = YAML.isNode(n) ? n.range : undefined;
    return r ? `:${lc.linePos(r[0]).line}` : '';
  };
  const fail: Reporter = (node, key, why) => {
    throw new ConfigError(`${file}${lineOf(node)}: ${key}: ${why}`);
  };
  return { doc, lc, lineOf, fail };
}

export function parseConfig(text: string, file: string): PicketConfig {
  const { doc, lc, lineOf, fail } = openDocument(text, file);
  const cfg: PicketConfig = { file };
  const root = doc.contents;
  if (root === null || (YAML.isScalar(root) && root.value === null)) return cfg; // empty file
  const top = mapOf(root, '(top level)', fail);
  if (isCrowdsecConfig(Object.fromEntries(top.items.map((p) => [keyName(p.key), true]))))
    return fromCrowdsecDocument(doc, lc, file, (m) => new ConfigError(m));
  for (const pair of top.items) {
    const key = keyName(pair.key);
    const v = pair.value;
    switch (key) {
      case 'data_dir':
        cfg.dataDir = str(v, key, fail);
        break;
      case 'listen':
        cfg.listen = str(v, key, fail);
        break;
      case 'profiles_path':
        cfg.profilesPath = str(v, key, fail);
        break;
      case 'notification_dir':
        cfg.notificationDir = str(v, key, fail);
        break;
      case 'hub_dir':
        cfg.hubDir = str(v, key, fail);
        break;
      case 'config_dir':
        cfg.configDir = str(v, key, fail);
        break;
      case 'hub_url':
        cfg.hubUrl = str(v, key, fail);
        break;
      case 'simulation_path':
        cfg.simulationPath = str(v, key, fail);
        break;
      case 'acquisition_path':
        cfg.acquisitionPath = str(v, key, fail);
        break;
      case 'acquisition_dir':
        cfg.acquisitionDir = str(v, key, fail);
        break;
      case 'console_context_path':
        cfg.consoleContextPath = str(v, key, fail);
        break;
      case 'console_context_value_length': {
        const n = YAML.isScalar(v) ? v.value : undefined;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 4000)
          fail(v ?? pair.key, key, 'expected a whole number of bytes from 0 (default, 4000) to 4000');
        cfg.consoleContextValueLength = n as number;
        break;
      }
      case 'trusted_ips': {
        if (!YAML.isSeq(v)) fail(v ?? pair.key, key, 'expected a list of IPs or CIDR ranges');
        cfg.trustedIps = (v as YAML.YAMLSeq).items.map((it, i) => str(it, `${key}[${i}]`, fail));
        break;
      }
      case 'tls':
        cfg.tls = parseTls(v ?? pair.key, fail);
        break;
      case 'retention':
        cfg.retention = parseRetention(v ?? pair.key, fail);
        break;
      case 'metrics':
        parseMetricsSection(cfg, v ?? pair.key, fail);
        break;
      case 'report':
        cfg.report = parseReport(v ?? pair.key, fail);
        break;
      case 'online_client':
        parseOnlineSection(cfg, v, pair.key, doc, lineOf, file);
        break;
      case 'log_level': {
        const s = str(v ?? pair.key, key, fail);
        cfg.logLevel = parseLogLevel(s) ?? fail(v, key, `unknown level '${s}' (${LOG_LEVEL_CHOICES})`);
        break;
      }
      case 'console':
        cfg.console = parseConsole(v ?? pair.key, fail);
        break;
      case 'buckets': {
        const m = mapOf(v ?? pair.key, key, fail);
        for (const p of m.items) {
          const k = keyName(p.key);
          if (k !== 'max_live') fail(p.key, `buckets.${k}`, 'unknown key (expected max_live)');
          const n = YAML.isScalar(p.value) ? p.value.value : undefined;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_LIVE_LIMIT) {
            fail(p.value ?? p.key, `buckets.${k}`, `expected a whole number from 0 (no ceiling) to ${MAX_LIVE_LIMIT}`);
          }
          cfg.maxLiveBuckets = n as number;
        }
        break;
      }
      case 'rdns':
        cfg.rdns = parseRdnsBlock(v, pair.key, fail);
        break;
      default:
        fail(
          pair.key,
          key,
          'unknown key (expected data_dir, listen, profiles_path, notification_dir, simulation_path, acquisition_path, ' +
            'acquisition_dir, console_context_path, console_context_value_length, trusted_ips, tls, retention, ' +
            'metrics, report, console, hub_dir, config_dir, hub_url, buckets, online_client, log_level, rdns)',
        );
    }
  }
  return cfg;
}

export function loadConfigFile(file: string): PicketConfig {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (e) {
    if (e instanceof ConfigFileTooLargeError) throw new ConfigError(e.message);
    throw new ConfigError(`cannot read config file ${file}: ${errorCode(e) ?? errorMessage(e)}`);
  }
  return parseConfig(text, file);
}

/** `--config FILE` when given (must exist), else the default file when it exists, else an empty config */
export function resolveConfig(explicit: string | undefined): PicketConfig {
  if (explicit !== undefined) return loadConfigFile(explicit);
  if (fs.existsSync(DEFAULT_CONFIG_FILE)) return loadConfigFile(DEFAULT_CONFIG_FILE);
  return { file: null };
}
