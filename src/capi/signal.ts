// Alert -> CAPI v3 signal (capi.md §4.1, §4.2). Owns: the trust class, the sharing rules (simulated never,
// manual only when allowed, custom/tainted per config) and the two payloads: `minimal` (what the protocol
// requires: scenario name, hash, version, trust, source scope/value, start/stop, uuid; message empty, no geo, AS,
// machine name, decisions or context) and `full` (what CrowdSec's LAPI sends). Field order follows §4.2.

import type { AlertRecord, DecisionRecord } from '../store/records.js';
import type { OnlineClientConfig } from './config.js';
import { LISTS_PREFIX, originIn } from '../store/decision-filter.js';
import { CAPI_ORIGIN, COMMUNITY_SOURCE_SCOPE } from './origin-sync.js';

export type Trust = 'manual' | 'custom' | 'tainted' | 'certified';

export interface WireSource {
  scope: string;
  value: string;
  ip?: string;
  range?: string;
  as_number?: string;
  as_name?: string;
  cn?: string;
  latitude?: number;
  longitude?: number;
}
export interface WireSignalDecision {
  duration: string;
  id: number;
  origin: string;
  scenario: string;
  scope: string;
  type: string;
  value: string;
  uuid: string;
}
export interface WireSignal {
  message: string;
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  scenario_trust: Trust;
  source: WireSource;
  start_at: string;
  stop_at: string;
  machine_id?: string;
  uuid: string;
  kind?: string;
  decisions?: WireSignalDecision[];
  context: { key: string; value: string }[] | null;
}

export function trustClass(a: AlertRecord, decisions: DecisionRecord[]): Trust {
  if (decisions[0]?.origin === 'cscli') return 'manual';
  if (a.scenarioHash === '') return 'custom';
  if (a.scenarioVersion === '' || a.scenarioVersion === '?') return 'tainted';
  return 'certified';
}

/** whether `a` may be shared at all under `c` (§4.1) */
export function shareable(a: AlertRecord, decisions: DecisionRecord[], c: OnlineClientConfig): boolean {
  if (c.sharing === 'off' || a.simulated || receivedFromCrowd(a, decisions)) return false;
  const t = trustClass(a, decisions);
  if (t === 'manual') return c.shareManualDecisions;
  if (t === 'custom') return c.shareCustom;
  if (t === 'tainted') return c.shareTainted;
  return true;
}

/** what the community blocklist or a list brought in (src/capi/origin-sync.ts) is never sent back as a signal */
export function receivedFromCrowd(a: AlertRecord, decisions: DecisionRecord[]): boolean {
  if (a.source.scope === COMMUNITY_SOURCE_SCOPE || a.source.scope.startsWith(LISTS_PREFIX)) return true;
  return decisions.some((d) => d.origin === CAPI_ORIGIN || originIn(['lists'], d.origin));
}

function goDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    r = s % 60;
  return h ? `${h}h${m}m${r}s` : m ? `${m}m${r}s` : `${r}s`;
}

function fullSource(s: AlertRecord['source']): WireSource {
  const o: WireSource = { scope: s.scope, value: s.value };
  if (s.ip) o.ip = s.ip;
  if (s.range) o.range = s.range;
  if (s.asNumber) o.as_number = s.asNumber;
  if (s.asName) o.as_name = s.asName;
  if (s.cn) o.cn = s.cn;
  if (s.latitude) o.latitude = s.latitude;
  if (s.longitude) o.longitude = s.longitude;
  return o;
}

/** the signal for `a` (null when it must not be shared) */
export function toSignal(a: AlertRecord, decisions: DecisionRecord[], c: OnlineClientConfig): WireSignal | null {
  if (!shareable(a, decisions, c)) return null;
  const base = {
    scenario: a.scenario,
    scenario_hash: a.scenarioHash,
    scenario_version: a.scenarioVersion,
    scenario_trust: trustClass(a, decisions),
  };
  if (c.sharing === 'minimal') {
    return {
      message: '',
      ...base,
      source: { scope: a.source.scope, value: a.source.value },
      start_at: a.startAt,
      stop_at: a.stopAt,
      uuid: a.uuid,
      context: null,
    };
  }
  const stop = Date.parse(a.stopAt);
  const sig: WireSignal = {
    message: a.message,
    ...base,
    source: fullSource(a.source),
    start_at: a.startAt,
    stop_at: a.stopAt,
    machine_id: a.machineId,
    uuid: a.uuid,
    kind: a.kind || 'crowdsec',
    decisions: decisions.map((d) => ({
      duration: goDuration(d.until - (Number.isNaN(stop) ? d.createdAt : stop)),
      id: 0,
      origin: d.origin,
      scenario: d.scenario,
      scope: d.scope,
      type: d.type,
      value: d.value,
      uuid: d.uuid,
    })),
    context: c.shareContext ? a.meta.map((m) => ({ key: m.key, value: m.value })) : null,
  };
  if (!sig.decisions?.length) delete sig.decisions;
  return sig;
}
