// The consensus thresholds and their loader. Owns `ConsensusConfig` (every number the consensus decides with),
// `DEFAULT_CONSENSUS` (the defaults, chosen with `picket central simulate`; see docs/CONSENSUS.md and
// bench/RESULTS.md) and the strict reader of a YAML `consensus:` section: unknown keys, wrong types and
// out-of-range values are refused with the file, the line and the key.

import fs from 'node:fs';
import YAML from 'yaml';
import { PicketError } from '../../core/errors.js';
import { parseGoDuration } from '../../core/gotime.js';

export interface ConsensusConfig {
  /** a reporter has no weight before this age (ms) */
  minReporterAgeMs: number;
  /** age (ms) at which the age factor of a reporter's weight reaches 1 */
  fullReporterAgeMs: number;
  /** confirmed discoveries a reporter needs before it has any weight */
  minConfirmations: number;
  /** confirmed discoveries at which the confirmation factor of its weight reaches 1 */
  fullConfirmations: number;
  /** networks (AS, else /24) other than the reporter's that must have reported an address to confirm its report */
  confirmNetworks: number;
  /** of those networks, how many must have weight (once that many reporters have any) */
  confirmWeighted: number;
  /** until this many reporters earned minConfirmations (a new Central), confirmations need no weighted network */
  bootstrapReporters: number;
  /** during that bootstrap, eligible networks needed to confirm (wider than any colluding group should span) */
  bootstrapNetworks: number;
  /** a report earns a confirmation only if it came at most this long after the address's listing or confirmation */
  confirmGraceMs: number;
  /** sum of per-network weights an address needs to be listed */
  listScore: number;
  /** distinct weighted networks an address needs to be listed */
  minNetworks: number;
  /** a network counts toward minNetworks only with at least this weight */
  minNetworkWeight: number;
  /** evidence older than this no longer counts toward listing (ms) */
  evidenceWindowMs: number;
  /** the decay: nothing stays listed longer than this after its last counted report (ms; <= evidence window) */
  decayMs: number;
  /** first listing duration (ms) at exactly listScore; grows with the score and with relistings */
  baseDurationMs: number;
  /** the longest listing (ms) */
  maxDurationMs: number;
  /** a reporter that reports a canary has no weight for this long (ms), and its confirmations are reset */
  canaryPenaltyMs: number;
  /** a reporter whose published CDN or crawler reports (a common honest false alert) exceed sharedCanaryShare of
   * its recent reports has no weight for this long; its track record stays */
  sharedCanaryPenaltyMs: number;
  /** share of a reporter's recent reports on CDN or crawler addresses above which it is penalised */
  sharedCanaryShare: number;
  /** how many of its latest reports that share is taken over (an exponential moving average of this span) */
  sharedCanarySpan: number;
  /** canary hits after which a reporter never has weight again */
  canaryStrikesBan: number;
  /** appeal hold (ms) when `delist` is called without one */
  appealHoldMs: number;
  /** during a hold, distinct weighted networks reporting after the appeal needed to list again */
  relistNetworks: number;
  /** entries served to a site at most (CrowdSec's community list size) */
  listCap: number;
  /** operator allowlist: addresses and CIDRs never listed (added to the built-in canaries) */
  allowlist: string[];
  /** `custom` signals (scenarios no hub index knows: Picket's built-in content, a site's own) count like certified
   * ones — for a private federation whose members are enrolled with a token, never for an open central */
  countCustom: boolean;
}

const H = 3_600_000;
const D = 24 * H;

export const DEFAULT_CONSENSUS: Readonly<ConsensusConfig> = Object.freeze({
  minReporterAgeMs: 24 * H,
  fullReporterAgeMs: 2 * D,
  minConfirmations: 1,
  fullConfirmations: 2,
  confirmNetworks: 3,
  confirmWeighted: 2,
  bootstrapReporters: 20,
  bootstrapNetworks: 12,
  confirmGraceMs: 2 * 60_000,
  listScore: 0.6,
  minNetworks: 2,
  minNetworkWeight: 0.1,
  evidenceWindowMs: 10 * D,
  decayMs: 72 * H,
  baseDurationMs: 24 * H,
  maxDurationMs: 7 * D,
  canaryPenaltyMs: 14 * D,
  sharedCanaryPenaltyMs: 24 * H,
  sharedCanaryShare: 0.02,
  sharedCanarySpan: 200,
  canaryStrikesBan: 3,
  appealHoldMs: 7 * D,
  relistNetworks: 3,
  listCap: 15_000,
  allowlist: [],
  countCustom: false,
});

export class ConsensusConfigError extends PicketError {
  constructor(message: string) {
    super('CENTRAL_CONSENSUS_CONFIG', message);
  }
}

type Kind = 'duration' | 'count' | 'ratio' | 'score' | 'list' | 'bool';
const KEYS: Record<string, { field: keyof ConsensusConfig; kind: Kind }> = {
  min_reporter_age: { field: 'minReporterAgeMs', kind: 'duration' },
  full_reporter_age: { field: 'fullReporterAgeMs', kind: 'duration' },
  min_confirmations: { field: 'minConfirmations', kind: 'count' },
  full_confirmations: { field: 'fullConfirmations', kind: 'count' },
  confirm_networks: { field: 'confirmNetworks', kind: 'count' },
  confirm_weighted: { field: 'confirmWeighted', kind: 'count' },
  bootstrap_reporters: { field: 'bootstrapReporters', kind: 'count' },
  bootstrap_networks: { field: 'bootstrapNetworks', kind: 'count' },
  confirm_grace: { field: 'confirmGraceMs', kind: 'duration' },
  list_score: { field: 'listScore', kind: 'score' },
  min_networks: { field: 'minNetworks', kind: 'count' },
  min_network_weight: { field: 'minNetworkWeight', kind: 'ratio' },
  evidence_window: { field: 'evidenceWindowMs', kind: 'duration' },
  decay: { field: 'decayMs', kind: 'duration' },
  base_duration: { field: 'baseDurationMs', kind: 'duration' },
  max_duration: { field: 'maxDurationMs', kind: 'duration' },
  canary_penalty: { field: 'canaryPenaltyMs', kind: 'duration' },
  shared_canary_penalty: { field: 'sharedCanaryPenaltyMs', kind: 'duration' },
  shared_canary_share: { field: 'sharedCanaryShare', kind: 'ratio' },
  shared_canary_span: { field: 'sharedCanarySpan', kind: 'count' },
  canary_strikes_ban: { field: 'canaryStrikesBan', kind: 'count' },
  appeal_hold: { field: 'appealHoldMs', kind: 'duration' },
  relist_networks: { field: 'relistNetworks', kind: 'count' },
  list_cap: { field: 'listCap', kind: 'count' },
  allowlist: { field: 'allowlist', kind: 'list' },
  count_custom: { field: 'countCustom', kind: 'bool' },
};

/** The YAML key of a config field (for messages and docs). */
export function yamlKeyOf(field: keyof ConsensusConfig): string {
  return Object.entries(KEYS).find(([, v]) => v.field === field)?.[0] ?? field;
}

function durationMs(text: string): number | null {
  try {
    return parseGoDuration(text.trim(), { days: true }) / 1e6;
  } catch {
    return null;
  }
}

function convert(where: string, key: string, kind: Kind, v: unknown): number | string[] | boolean {
  const bad = (what: string): never => {
    throw new ConsensusConfigError(`${where}: consensus.${key}: expected ${what}`);
  };
  switch (kind) {
    case 'duration': {
      const ms = typeof v === 'string' ? durationMs(v) : null;
      return ms === null || !Number.isFinite(ms) || ms < 0 ? bad('a duration such as 72h or 30m') : ms;
    }
    case 'count':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9 ? v : bad('a whole number >= 0');
    case 'ratio':
      return typeof v === 'number' && v >= 0 && v <= 1 ? v : bad('a number between 0 and 1');
    case 'score':
      return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1e6 ? v : bad('a number > 0');
    case 'list':
      return Array.isArray(v) && v.every((x) => typeof x === 'string')
        ? (v as string[])
        : bad('a list of addresses or CIDRs');
    case 'bool':
      return typeof v === 'boolean' ? v : bad('true or false');
  }
}

/** Checks that hold between keys (e.g. the decay is not shorter than one listing could outlive). */
export function validateConsensus(c: ConsensusConfig, where: string): ConsensusConfig {
  const fail = (m: string): never => {
    throw new ConsensusConfigError(`${where}: consensus: ${m}`);
  };
  if (c.fullReporterAgeMs < c.minReporterAgeMs) fail('full_reporter_age is shorter than min_reporter_age');
  if (c.fullConfirmations < c.minConfirmations) fail('full_confirmations is smaller than min_confirmations');
  if (c.maxDurationMs < c.baseDurationMs) fail('max_duration is shorter than base_duration');
  if (c.minNetworks < 1) fail('min_networks must be at least 1');
  if (c.listCap < 1) fail('list_cap must be at least 1');
  if (c.decayMs > c.evidenceWindowMs) fail('decay is longer than evidence_window');
  if (c.sharedCanarySpan < 1) fail('shared_canary_span must be at least 1');
  return c;
}

/**
 * Reads the `consensus:` section of a YAML text (a whole file whose top level has a `consensus` key, other top
 * level keys being someone else's). Absent section: the defaults. `where` names the file in messages.
 */
export function parseConsensusConfig(text: string, where: string): ConsensusConfig {
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line ?? (e.pos ? lc.linePos(e.pos[0]).line : 0);
    throw new ConsensusConfigError(`${where}${line ? `:${line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const out: ConsensusConfig = { ...DEFAULT_CONSENSUS, allowlist: [...DEFAULT_CONSENSUS.allowlist] };
  const root = doc.contents;
  if (root === null || root === undefined) return out;
  if (!YAML.isMap(root)) throw new ConsensusConfigError(`${where}: expected a mapping at the top level`);
  const section = root.items.find((p) => YAML.isScalar(p.key) && p.key.value === 'consensus');
  if (!section || section.value === null || (YAML.isScalar(section.value) && section.value.value === null)) return out;
  const lineOf = (n: unknown): number => (YAML.isNode(n) && n.range ? lc.linePos(n.range[0]).line : 0);
  if (!YAML.isMap(section.value)) {
    throw new ConsensusConfigError(`${where}:${lineOf(section.key)}: consensus: expected a mapping`);
  }
  const given = new Set<string>();
  for (const pair of section.value.items) {
    const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    given.add(key);
    const at = `${where}:${lineOf(pair.key)}`;
    const spec = KEYS[key];
    if (!spec) throw new ConsensusConfigError(`${at}: consensus.${key}: unknown key`);
    const value = YAML.isNode(pair.value) ? (pair.value.toJSON() as unknown) : pair.value;
    (out as unknown as Record<string, unknown>)[spec.field] = convert(at, key, spec.kind, value);
  }
  // a shorter evidence window without a decay of its own decays with it (evidence_window once meant both)
  if (!given.has('decay')) out.decayMs = Math.min(out.decayMs, out.evidenceWindowMs);
  return validateConsensus(out, where);
}

/** Reads a YAML file's `consensus:` section (see parseConsensusConfig). */
export function loadConsensusConfig(file: string): ConsensusConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConsensusConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseConsensusConfig(text, file);
}
