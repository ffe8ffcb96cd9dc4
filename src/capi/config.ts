// The `online_client` section of the Picket configuration (issue 13, named like CrowdSec's) and the central API
// credentials file in CrowdSec's online_api_credentials.yaml format (url, login, password). Owns: parsing and
// validation (errors name the file and the field), defaults, and writing the credentials file (mode 0600).

import fs from 'node:fs';
import YAML from 'yaml';
import { parseWireDuration } from '../api/wire-time.js';
import { PicketError } from '../core/errors.js';

export type Sharing = 'off' | 'minimal' | 'full';

export interface OnlineClientConfig {
  credentialsPath: string;
  sharing: Sharing;
  shareManualDecisions: boolean;
  shareCustom: boolean;
  shareTainted: boolean;
  shareContext: boolean;
  pull: { community: boolean; blocklists: boolean; intervalMs: number };
}

export interface CapiCredentials {
  url: string;
  login: string;
  password: string;
}

export class CapiConfigError extends PicketError {
  constructor(message: string) {
    super('CAPI_CONFIG', message);
  }
}

const MIN_INTERVAL_MS = 60_000;
const KEYS = [
  'credentials_path',
  'sharing',
  'share_manual_decisions',
  'share_custom',
  'share_tainted',
  'share_context',
  'pull',
];

export function defaultOnlineClient(credentialsPath: string): OnlineClientConfig {
  return {
    credentialsPath,
    sharing: 'minimal',
    shareManualDecisions: false,
    shareCustom: true,
    shareTainted: true,
    shareContext: false,
    pull: { community: true, blocklists: true, intervalMs: 2 * 3_600_000 },
  };
}

type Obj = Record<string, unknown>;

function bool(o: Obj, key: string, def: boolean, where: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw new CapiConfigError(`${where}.${key}: true or false expected`);
  return v;
}

/** `online_client` as written in `file`; undefined/null = no central API (nothing leaves the machine).
 *  `minIntervalMs` lowers the pull interval's floor (tests only). */
export function parseOnlineClient(
  raw: unknown,
  file: string,
  minIntervalMs = MIN_INTERVAL_MS,
): OnlineClientConfig | null {
  if (raw === undefined || raw === null) return null;
  const where = `${file}: online_client`;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new CapiConfigError(`${where}: a mapping expected`);
  const o = raw as Obj;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new CapiConfigError(`${where}.${k}: unknown key`);
  if (typeof o.credentials_path !== 'string' || o.credentials_path === '')
    throw new CapiConfigError(`${where}.credentials_path: a file path is required`);
  const c = defaultOnlineClient(o.credentials_path);
  if (o.sharing !== undefined) {
    if (o.sharing !== 'off' && o.sharing !== 'minimal' && o.sharing !== 'full')
      throw new CapiConfigError(`${where}.sharing: off, minimal or full expected`);
    c.sharing = o.sharing;
  }
  c.shareManualDecisions = bool(o, 'share_manual_decisions', c.shareManualDecisions, where);
  c.shareCustom = bool(o, 'share_custom', c.shareCustom, where);
  c.shareTainted = bool(o, 'share_tainted', c.shareTainted, where);
  c.shareContext = bool(o, 'share_context', c.shareContext, where);
  if (o.pull !== undefined && o.pull !== null) {
    if (typeof o.pull !== 'object' || Array.isArray(o.pull))
      throw new CapiConfigError(`${where}.pull: a mapping expected`);
    const p = o.pull as Obj;
    for (const k of Object.keys(p))
      if (!['community', 'blocklists', 'interval'].includes(k))
        throw new CapiConfigError(`${where}.pull.${k}: unknown key`);
    c.pull.community = bool(p, 'community', true, `${where}.pull`);
    c.pull.blocklists = bool(p, 'blocklists', true, `${where}.pull`);
    if (p.interval !== undefined) {
      const ms = typeof p.interval === 'string' ? parseWireDuration(p.interval) : null;
      if (ms === null || ms < minIntervalMs)
        throw new CapiConfigError(`${where}.pull.interval: a duration of at least ${minIntervalMs / 1000}s expected`);
      c.pull.intervalMs = ms;
    }
  }
  return c;
}

/** reads online_api_credentials.yaml; errors name the file and the field */
export function readCredentials(file: string): CapiCredentials {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CapiConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new CapiConfigError(`${file}: a mapping expected`);
  const o = doc as Obj;
  for (const k of ['url', 'login', 'password'])
    if (typeof o[k] !== 'string' || o[k] === '') throw new CapiConfigError(`${file}: ${k}: required`);
  return { url: String(o.url), login: String(o.login), password: String(o.password) };
}

export function writeCredentials(file: string, c: CapiCredentials): void {
  fs.writeFileSync(file, YAML.stringify({ url: c.url, login: c.login, password: c.password }), { mode: 0o600 });
}
