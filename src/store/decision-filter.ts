// Decision filters (spec lapi.md §5.1, §5.2, §6.10) turned into a predicate over indexed decisions. Owns:
// compiling a `DecisionFilter` once per request (lists become arrays of exact strings, words are lower-cased)
// and `matchesAttributes`, the per-decision check of every field except the address interval (`range`) and
// the expiry, which the decision index handles with its own structures. The origin filter `lists` (CrowdSec's
// origin of third-party lists) also matches Picket's per-list origins `lists:NAME`.

import type { DecisionFilter, DecisionRecord, IpRange } from './records.js';

/** A decision as the index keeps it: the record plus values derived once at insertion. */
export interface IndexedDecision {
  rec: DecisionRecord;
  /** the scenario lower-cased (scenarios_containing / not_containing are case-insensitive) */
  readonly scenarioLower: string;
}

export interface CompiledDecisionFilter {
  readonly range: IpRange | null;
  readonly contains: boolean;
  readonly scopes: readonly string[] | null;
  readonly value: string | null;
  readonly type: string | null;
  readonly origins: readonly string[] | null;
  readonly containing: readonly string[] | null;
  readonly notContaining: readonly string[] | null;
  readonly scenario: string | null;
  readonly uuids: readonly string[] | null;
  readonly simulated: boolean;
}

/** lower-cased words; an empty word (from a trailing comma) is dropped rather than matching everything */
function words(v: readonly string[] | undefined): readonly string[] | null {
  if (v === undefined) return null;
  const out: string[] = [];
  for (const w of v) if (w !== '') out.push(w.toLowerCase());
  return out;
}

/** Per request: lists are referenced, not copied (the filter is not kept beyond the call). */
export function compileDecisionFilter(f: DecisionFilter): CompiledDecisionFilter {
  return {
    range: f.range ?? null,
    contains: f.contains !== false,
    scopes: f.scopes ?? null,
    value: f.value ?? null,
    type: f.type ?? null,
    origins: f.origins ?? null,
    containing: words(f.scenariosContaining),
    notContaining: words(f.scenariosNotContaining),
    scenario: f.scenario ?? null,
    uuids: f.uuids ?? null,
    simulated: f.simulated === true,
  };
}

/** true when `d` passes every filter field except `range` and the expiry. */
export function matchesAttributes(c: CompiledDecisionFilter, d: IndexedDecision): boolean {
  const r = d.rec;
  if (r.simulated && !c.simulated) return false;
  if (c.value !== null && r.value !== c.value) return false;
  if (c.type !== null && r.type !== c.type) return false;
  if (c.scopes !== null && !c.scopes.includes(r.scope)) return false;
  if (c.origins !== null && !originIn(c.origins, r.origin)) return false;
  if (c.scenario !== null && r.scenario !== c.scenario) return false;
  if (c.uuids !== null && !c.uuids.includes(r.uuid)) return false;
  if (c.containing !== null && c.containing.length > 0 && !anyWordIn(c.containing, d.scenarioLower)) return false;
  if (c.notContaining !== null && anyWordIn(c.notContaining, d.scenarioLower)) return false;
  return true;
}

/** origin `lists` (CrowdSec's name for third-party lists) also selects Picket's `lists:NAME` origins */
export function originIn(origins: readonly string[], origin: string): boolean {
  if (origins.includes(origin)) return true;
  return origin.startsWith(LISTS_PREFIX) && origins.includes('lists');
}

export const LISTS_PREFIX = 'lists:';

function anyWordIn(words: readonly string[], s: string): boolean {
  for (let i = 0; i < words.length; i++) if (s.includes(words[i])) return true;
  return false;
}
