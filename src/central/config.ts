// Configuration of Picket Central (`--config FILE`, YAML): every key, its default and its validation. Unknown keys
// and wrong types are refused with an error naming the file and the key. The `consensus` section belongs to the
// consensus engine (src/central/consensus) and is passed to it untouched. Command-line flags override the file.

import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PicketError } from '../core/errors.js';
import { DEFAULT_CONSENSUS, parseConsensusConfig, type ConsensusConfig } from './consensus/config.js';

export interface CentralConfig {
  listen: string;
  data: string;
  /** postgres://… (empty: the embedded store) */
  db: string;
  /** CrowdSec hub index (.index.json) deciding which scenario hashes are certified ('' = search the defaults) */
  hubIndex: string;
  /** base URL of blocklist links (empty: from the request's Host header) */
  publicUrl: string;
  signalsRetentionDays: number;
  /** how often the community list is recomputed (s) */
  tickSeconds: number;
  /** how often the consensus state is saved to the store (min; also at shutdown) */
  stateMinutes: number;
  /** kept-off time of an appeal (ms) */
  appealHoldMs: number;
  registrationToken: string;
  registrationsPerNetworkPerHour: number;
  registrationsPerAsPerHour: number;
  /** reserved ranges accepted as if public (lab federations, tests) */
  acceptRanges: string[];
  /** the `consensus:` section, read by the consensus engine's own loader (src/central/consensus/config.ts) */
  consensus: ConsensusConfig;
}

export const DEFAULT_HUB_INDEXES = ['/usr/share/crowdsec/hub/.index.json', '/etc/crowdsec/hub/.index.json'];

export function defaultConfig(): CentralConfig {
  return {
    listen: '127.0.0.1:8090',
    data: '',
    db: '',
    hubIndex: '',
    publicUrl: '',
    signalsRetentionDays: 30,
    tickSeconds: 10,
    stateMinutes: 15,
    appealHoldMs: 30 * 86_400_000,
    registrationToken: '',
    registrationsPerNetworkPerHour: 10,
    registrationsPerAsPerHour: 200,
    acceptRanges: [],
    consensus: { ...DEFAULT_CONSENSUS, allowlist: [...DEFAULT_CONSENSUS.allowlist] },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  constructor(private readonly file: string) {}
  fail(key: string, why: string): never {
    throw new PicketError('CENTRAL_CONFIG', `${this.file}: ${key}: ${why}`);
  }
  section(o: Obj, key: string, allowed: readonly string[]): Obj {
    const v = o[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) this.fail(key, 'a mapping expected');
    for (const k of Object.keys(v))
      if (!allowed.includes(k)) this.fail(`${key}.${k}`, `unknown key (known: ${allowed.join(', ')})`);
    return v;
  }
  str(o: Obj, key: string, path: string, dflt: string): string {
    const v = o[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string') this.fail(path, 'a string expected');
    return v;
  }
  num(o: Obj, key: string, path: string, dflt: number, min: number): number {
    const v = o[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) this.fail(path, `a number >= ${min} expected`);
    return v;
  }
  strList(o: Obj, key: string, path: string): string[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(path, 'a list of strings expected');
    return v as string[];
  }
}

const TOP = [
  'listen',
  'data',
  'db',
  'hub_index',
  'public_url',
  'retention',
  'snapshot',
  'appeal',
  'registration',
  'signals',
  'consensus',
];

/** The configuration from YAML text (`file` names it in errors). */
export function parseConfig(text: string, file: string): CentralConfig {
  const r: Reader = new Reader(file);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    r.fail('(file)', `invalid YAML: ${(e as Error).message}`);
  }
  const c = defaultConfig();
  if (doc === null || doc === undefined) return c;
  if (!isObj(doc)) r.fail('(file)', 'a mapping expected at the top level');
  for (const k of Object.keys(doc)) if (!TOP.includes(k)) r.fail(k, `unknown key (known: ${TOP.join(', ')})`);
  c.listen = r.str(doc, 'listen', 'listen', c.listen);
  c.data = r.str(doc, 'data', 'data', c.data);
  c.db = r.str(doc, 'db', 'db', c.db);
  c.hubIndex = r.str(doc, 'hub_index', 'hub_index', c.hubIndex);
  c.publicUrl = r.str(doc, 'public_url', 'public_url', c.publicUrl);
  const ret = r.section(doc, 'retention', ['signals_days']);
  c.signalsRetentionDays = r.num(ret, 'signals_days', 'retention.signals_days', c.signalsRetentionDays, 1);
  const snap = r.section(doc, 'snapshot', ['tick_seconds', 'state_minutes']);
  c.tickSeconds = r.num(snap, 'tick_seconds', 'snapshot.tick_seconds', c.tickSeconds, 1);
  c.stateMinutes = r.num(snap, 'state_minutes', 'snapshot.state_minutes', c.stateMinutes, 1);
  const appeal = r.section(doc, 'appeal', ['hold_hours']);
  c.appealHoldMs = r.num(appeal, 'hold_hours', 'appeal.hold_hours', c.appealHoldMs / 3_600_000, 0) * 3_600_000;
  const reg = r.section(doc, 'registration', ['token', 'per_network_per_hour', 'per_as_per_hour']);
  c.registrationToken = r.str(reg, 'token', 'registration.token', '');
  c.registrationsPerNetworkPerHour = r.num(
    reg,
    'per_network_per_hour',
    'registration.per_network_per_hour',
    c.registrationsPerNetworkPerHour,
    0,
  );
  c.registrationsPerAsPerHour = r.num(
    reg,
    'per_as_per_hour',
    'registration.per_as_per_hour',
    c.registrationsPerAsPerHour,
    0,
  );
  if (c.registrationToken !== '' && c.registrationToken.length < 16)
    r.fail('registration.token', 'at least 16 characters');
  const sig = r.section(doc, 'signals', ['accept_ranges']);
  c.acceptRanges = r.strList(sig, 'accept_ranges', 'signals.accept_ranges');
  for (const cidr of c.acceptRanges)
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) r.fail('signals.accept_ranges', `'${cidr}' is not a CIDR`);
  c.consensus = parseConsensusConfig(text, file);
  return c;
}

export function loadConfig(file: string): CentralConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PicketError('CENTRAL_CONFIG', `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfig(text, file);
}
