// Overflow -> RuntimeAlert (scenarios.md §7, overflows.go NewAlert).
// Owns: sources per scope (Ip / Range / other scopes, reprocessed OVFLW events), alert fields, alert events
// with sorted meta, the message string, APIAlerts sharing Source objects; alert context values (./context.ts).

import { isIP } from 'node:net';
import { Alert, AlertEvent, OVFLW, RuntimeAlert, Source } from '../core/event.js';
import type { Event, MetaItem } from '../core/event.js';
import { GoTime, formatGoDuration } from '../core/gotime.js';
import { formatIP, parseCIDR } from '../net/ipvalue.js';
import type { Compiled, Scenario } from './scenario.js';
import { errorMessage, PicketError } from '../core/errors.js';
import { contextMeta, type AlertContext } from './context.js';

/** Go IPNet.String() of a parsed CIDR, or null when unparsable. */
export function canonicalRange(s: string): string | null {
  const c = parseCIDR(s);
  if (!c) return null;
  return `${formatIP(c.ip)}/${c.bits}`;
}

/** Go's name for a fabricated fixed zone (Time.String prints -0700 when the zone has no name). */
function zoneName(off: number): string {
  const a = Math.abs(off) / 60;
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `${off < 0 ? '-' : '+'}${hh}${mm}`;
}

/** µs since epoch + zone offset (s) -> GoTime. */
export function usToGoTime(us: number, off: number): GoTime {
  const ms = Math.floor(us / 1000);
  const nsFrac = Math.round((us - ms * 1000) * 1000);
  return new GoTime(ms, nsFrac, off, off === 0 ? 'UTC' : zoneName(off));
}

export interface AlertTimes {
  first: GoTime;
  last: GoTime;
  ovflw: GoTime;
}

/** Internal: an overflow whose alert cannot be built (BUCKET_ALERT). */
class AlertBuildError extends PicketError {
  constructor(message: string) {
    super('BUCKET_ALERT', message);
  }
}

const EVT_ENV: { evt: Event | null } = { evt: null };

function runScopeExpr(e: Compiled, evt: Event): string {
  EVT_ENV.evt = evt;
  let v: unknown;
  try {
    v = e.run(EVT_ENV);
  } catch (err) {
    throw new AlertBuildError(`while running scope filter: ${errorMessage(err)}`);
  } finally {
    EVT_ENV.evt = null;
  }
  return typeof v === 'string' ? v : '';
}

function eventSources(s: Scenario, evt: Event, into: Record<string, Source>, scopeSeen: { v: string | null }): void {
  const add = (key: string, src: Source): void => {
    if (scopeSeen.v === null) scopeSeen.v = src.Scope;
    if (src.Scope !== scopeSeen.v)
      throw new AlertBuildError(`event has multiple source types : ${src.Scope} != ${scopeSeen.v}`);
    into[key] = src;
  };
  if (evt.Type === OVFLW) {
    const ov = evt.Overflow;
    if (!ov) return;
    for (const k of Object.keys(ov.Sources)) {
      const v = ov.Sources[k]!;
      if (v.Scope === s.scopeType) {
        add(k, v);
        continue;
      }
      if (s.scopeType === 'Range' && v.Scope === 'Ip') {
        const src = new Source();
        src.AsName = v.AsName;
        src.AsNumber = v.AsNumber;
        src.Cn = v.Cn;
        src.Latitude = v.Latitude;
        src.Longitude = v.Longitude;
        src.Range = v.Range;
        src.Scope = 'Range';
        src.Value = v.Range;
        if (s.scopeExpr) src.Value = runScopeExpr(s.scopeExpr, evt);
        if (src.Value !== '') add(src.Value, src);
      }
    }
    return;
  }
  const src = new Source();
  if (s.scopeType === 'Ip' || s.scopeType === 'Range') {
    const ip = evt.Meta.source_ip;
    if (ip === undefined) throw new AlertBuildError(`scope is ${s.scopeType} but Meta[source_ip] doesn't exist`);
    if (!isIP(ip)) throw new AlertBuildError(`scope is ${s.scopeType} but '${ip}' isn't a valid ip`);
    src.IP = ip;
    src.Scope = s.scopeType;
    const en = evt.Enriched;
    if (en.ASNumber !== undefined) src.AsNumber = en.ASNumber;
    else if (en.ASNNumber !== undefined) src.AsNumber = en.ASNNumber;
    if (en.IsoCode !== undefined) src.Cn = en.IsoCode;
    if (en.ASNOrg !== undefined) src.AsName = en.ASNOrg;
    if (en.Latitude !== undefined) {
      const f = parseFloat(en.Latitude);
      src.Latitude = Number.isNaN(f) ? 0 : Math.fround(f);
    }
    if (en.Longitude !== undefined) {
      const f = parseFloat(en.Longitude);
      src.Longitude = Number.isNaN(f) ? 0 : Math.fround(f);
    }
    const r = evt.Meta.SourceRange;
    if (r !== undefined && r !== '') {
      const c = canonicalRange(r);
      if (c === null) throw new AlertBuildError(`declared range ${r} of ${ip} can't be parsed`);
      src.Range = c;
    }
    if (s.scopeType === 'Ip') src.Value = src.IP;
    else src.Value = s.scopeExpr ? runScopeExpr(s.scopeExpr, evt) : src.Range;
    add(src.Value, src);
    return;
  }
  if (!s.scopeExpr) throw new AlertBuildError('empty scope information');
  src.Value = runScopeExpr(s.scopeExpr, evt);
  src.Scope = s.scopeType;
  add(src.Value, src);
}

/** models.Event list: one per queued event with Meta, meta sorted by key. */
export function eventsFromQueue(queue: Event[]): AlertEvent[] {
  const out: AlertEvent[] = [];
  for (const e of queue) {
    const keys = Object.keys(e.Meta);
    if (e.Type === OVFLW && keys.length === 0) continue; // nil Meta upstream
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const meta: MetaItem[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) meta[i] = { Key: keys[i]!, Value: e.Meta[keys[i]!]! };
    let ts = '';
    if (e.MarshaledTime !== '') ts = e.MarshaledTime;
    else if (!e.Time.isZero()) ts = e.Time.toRFC3339Nano();
    out.push(new AlertEvent(ts, meta));
  }
  return out;
}

/**
 * Builds the RuntimeAlert of an overflow. Returns the alert with `Alert` null when the sources cannot be
 * built (CrowdSec logs the error and the overflow carries no alert).
 */
export function newAlert(
  s: Scenario,
  mapkey: string,
  queue: Event[],
  totalCount: number,
  times: AlertTimes,
  ctx?: AlertContext,
): { ra: RuntimeAlert; error: string | null } {
  const ra = new RuntimeAlert();
  ra.Mapkey = mapkey;
  const base = new Alert();
  base.Scenario = s.name;
  base.ScenarioHash = s.hash;
  base.ScenarioVersion = s.version;
  base.Capacity = s.capacity;
  base.EventsCount = totalCount;
  base.Leakspeed = formatGoDuration(s.leakspeedNs);
  base.StartAt = times.first.toRFC3339Nano();
  base.StopAt = times.ovflw.toRFC3339Nano();
  base.Simulated = s.simulated;
  base.Kind = 'crowdsec';
  const sources = Object.create(null) as Record<string, Source>;
  const scope = { v: null as string | null };
  try {
    for (const e of queue) eventSources(s, e, sources, scope);
  } catch (e) {
    return { ra, error: `while extracting scope from bucket ${s.name}: ${errorMessage(e)}` };
  }
  ra.Sources = sources;
  const keys = Object.keys(sources);
  const srcStr = keys.length > 1 ? `${keys.length} sources` : keys.length === 1 ? keys[0]! : 'UNKNOWN';
  base.Message = `${scope.v ?? ''} ${srcStr} performed '${s.name}' (${totalCount} events over ${formatGoDuration(times.ovflw.Sub(times.first))}) at ${times.last.String()}`;
  base.Events = eventsFromQueue(queue);
  base.Meta = contextMeta(ctx, queue);
  for (const k of keys) {
    const a = Object.assign(new Alert(), base);
    a.Decisions = [];
    a.Labels = [];
    a.Source = sources[k]!;
    a.Remediation = s.remediation;
    ra.APIAlerts.push(a);
  }
  ra.Alert = ra.APIAlerts.length > 0 ? ra.APIAlerts[0]! : null;
  ra.Reprocess = s.reprocess;
  return { ra, error: null };
}
