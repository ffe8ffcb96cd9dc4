// The `online_client` section of the Picket configuration (issue 13, named like CrowdSec's
// api.server.online_client): where the central API credentials are, what is shared (off, minimal — the default —,
// full; share_* switches) and what is pulled. Owns: its type, defaults and validation (unknown keys refused; errors
// carry the dotted key so the config reader can name the file's line) and the mapping of CrowdSec's keys onto it.
// src/capi/config.ts re-exports it for the crowd client.

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

/** a bad online_client value; `key` is the dotted path under online_client ('' for the section itself) */
export class CapiConfigError extends PicketError {
  constructor(
    message: string,
    readonly key = '',
  ) {
    super('CAPI_CONFIG', message);
  }
}

export const MIN_PULL_INTERVAL_MS = 60_000;
const KEYS = [
  'credentials_path',
  'sharing',
  'share_manual_decisions',
  'share_custom',
  'share_tainted',
  'share_context',
  'pull',
];
const PULL_KEYS = ['community', 'blocklists', 'interval'];

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

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function failer(file: string): (key: string, why: string) => never {
  return (key, why) => {
    throw new CapiConfigError(`${file}: online_client${key ? `.${key}` : ''}: ${why}`, key);
  };
}

function bool(o: Obj, key: string, def: boolean, fail: (k: string, w: string) => never, prefix = ''): boolean {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') return fail(`${prefix}${key}`, 'true or false expected');
  return v;
}

function parsePull(p: unknown, c: OnlineClientConfig, fail: (k: string, w: string) => never, minMs: number): void {
  if (p === undefined || p === null) return;
  if (!isObj(p)) return fail('pull', 'a mapping expected (community, blocklists, interval)');
  for (const k of Object.keys(p))
    if (!PULL_KEYS.includes(k)) fail(`pull.${k}`, `unknown key (expected ${PULL_KEYS.join(', ')})`);
  c.pull.community = bool(p, 'community', true, fail, 'pull.');
  c.pull.blocklists = bool(p, 'blocklists', true, fail, 'pull.');
  if (p.interval !== undefined) {
    const ms = typeof p.interval === 'string' ? parseWireDuration(p.interval) : null;
    if (ms === null || ms < minMs) fail('pull.interval', `a duration of at least ${minMs / 1000}s expected`);
    c.pull.intervalMs = ms as number;
  }
}

/** `online_client` as written in `file`; undefined/null = no central API (nothing leaves the machine).
 *  `minIntervalMs` lowers the pull interval's floor (tests only). */
export function parseOnlineClient(
  raw: unknown,
  file: string,
  minIntervalMs = MIN_PULL_INTERVAL_MS,
): OnlineClientConfig | null {
  if (raw === undefined || raw === null) return null;
  const fail = failer(file);
  if (!isObj(raw)) return fail('', 'a mapping expected');
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) fail(k, `unknown key (expected ${KEYS.join(', ')})`);
  if (typeof raw.credentials_path !== 'string' || raw.credentials_path === '')
    return fail('credentials_path', 'a file path is required');
  const c = defaultOnlineClient(raw.credentials_path);
  if (raw.sharing !== undefined && raw.sharing !== null) {
    if (raw.sharing !== 'off' && raw.sharing !== 'minimal' && raw.sharing !== 'full')
      fail('sharing', 'off, minimal or full expected');
    c.sharing = raw.sharing as Sharing;
  }
  c.shareManualDecisions = bool(raw, 'share_manual_decisions', c.shareManualDecisions, fail);
  c.shareCustom = bool(raw, 'share_custom', c.shareCustom, fail);
  c.shareTainted = bool(raw, 'share_tainted', c.shareTainted, fail);
  c.shareContext = bool(raw, 'share_context', c.shareContext, fail);
  parsePull(raw.pull, c, fail, minIntervalMs);
  return c;
}

/** CrowdSec's keys (api.server.online_client + the console options share_*), already read and type-checked */
export interface CrowdsecOnlineKeys {
  credentialsPath?: string;
  /** api.server.online_client.sharing (CrowdSec: a boolean, default true) */
  sharing?: boolean;
  pullCommunity?: boolean;
  pullBlocklists?: boolean;
  shareManualDecisions?: boolean;
  shareCustom?: boolean;
  shareTainted?: boolean;
  shareContext?: boolean;
}

/** CrowdSec's online_client onto Picket's: sharing true -> minimal (Picket never shares more unless told),
 *  false -> off; no credentials_path -> no central API */
export function fromCrowdsecOnline(k: CrowdsecOnlineKeys): OnlineClientConfig | null {
  if (k.credentialsPath === undefined) return null;
  const c = defaultOnlineClient(k.credentialsPath);
  if (k.sharing === false) c.sharing = 'off';
  if (k.pullCommunity !== undefined) c.pull.community = k.pullCommunity;
  if (k.pullBlocklists !== undefined) c.pull.blocklists = k.pullBlocklists;
  if (k.shareManualDecisions !== undefined) c.shareManualDecisions = k.shareManualDecisions;
  if (k.shareCustom !== undefined) c.shareCustom = k.shareCustom;
  if (k.shareTainted !== undefined) c.shareTainted = k.shareTainted;
  if (k.shareContext !== undefined) c.shareContext = k.shareContext;
  return c;
}
