// The Event that flows through Picket, shaped like CrowdSec's `pipeline.Event` so that hub
// expressions (`evt.Meta.x`, `evt.Line.Labels.type`, `evt.Overflow.Alert.GetScenario()` ...)
// compile to plain property accesses and method calls on these objects.
// Owns: Event / Line / RuntimeAlert / models (Alert, Source, alert Event) shapes, their Go methods,
// string-map construction (GoMapObject: nothing inherited, so a missing key is `undefined` -> "").
// Field names are Go's on purpose: they are the names expressions and dumps use.

import { GoTime } from './gotime.js';

/**
 * map[string]string: a GoMapObject (below), nothing inherited; absent keys read as undefined (expr maps them
 * to "").
 */
export type StrMap = Record<string, string>;

/**
 * The prototype of every string map: itself without a prototype, so no key is inherited (`constructor`,
 * `__proto__` ... read as absent, like Object.create(null)). Unlike Object.create(null), which starts in V8's
 * dictionary mode, `new GoMapObject()` keeps fast properties while parsers add the same keys in the same
 * order line after line: built ~2x faster, ~1/4 of the memory, and property reads in compiled expressions
 * hit inline caches.
 */
function GoMapObject(this: object): void {
  /* fields are added by their writers */
}
GoMapObject.prototype = Object.create(null) as object;
const GO_MAP_PROTO: object = GoMapObject.prototype as object;
const GoMapCtor = GoMapObject as unknown as new () => Record<string, unknown>;

/** A Go map (map[string]T) in Picket: a null-prototype object or a GoMapObject. */
export function isGoMapObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === null || p === GO_MAP_PROTO;
}

/** A map as expressions see one: a Go map (isGoMapObject) or a plain object (JSON, YAML, literals). */
export function isMapObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype || p === GO_MAP_PROTO;
}

/** A new Go map (a GoMapObject), with `init`'s entries. */
export function newGoMap<V>(init?: Record<string, V>): Record<string, V> {
  const m = new GoMapCtor() as Record<string, V>;
  if (init) for (const k of Object.keys(init)) m[k] = init[k]!;
  return m;
}

export function newStrMap(init?: Record<string, string>): StrMap {
  return newGoMap(init);
}

export const LOG = 0;
export const OVFLW = 1;
export const LIVE = 0;
export const TIMEMACHINE = 1;

export interface Line {
  Raw: string;
  Src: string;
  Time: GoTime;
  Labels: StrMap;
  Process: boolean;
  Module: string;
}

export class Event {
  Type = LOG;
  ExpectMode = LIVE;
  Whitelisted = false;
  WhitelistReason = '';
  Stage = '';
  Line: Line;
  Parsed: StrMap = newStrMap();
  Enriched: StrMap = newStrMap();
  Unmarshaled: Record<string, unknown> = newGoMap<unknown>();
  Meta: StrMap = newStrMap();
  Overflow: RuntimeAlert | null = null;
  Time: GoTime = GoTime.zero();
  StrTime = '';
  StrTimeFormat = '';
  MarshaledTime = '';
  Process = false;

  constructor(line?: Partial<Line>) {
    this.Line = {
      Raw: line?.Raw ?? '',
      Src: line?.Src ?? '',
      Time: line?.Time ?? GoTime.zero(),
      Labels: line?.Labels ?? newStrMap(),
      Process: line?.Process ?? false,
      Module: line?.Module ?? '',
    };
  }

  GetType(): string {
    return this.Type === LOG ? 'log' : this.Type === OVFLW ? 'overflow' : 'unknown';
  }

  /** LOG: Meta[k] or ""; OVFLW: first non-empty meta k among the alert's events. */
  GetMeta(key: string): string {
    if (this.Type === LOG) return this.Meta[key] ?? '';
    if (this.Type === OVFLW && this.Overflow?.Alert) {
      for (const ev of this.Overflow.Alert.Events) {
        const v = ev.GetMeta(key);
        if (v !== '') return v;
      }
    }
    return '';
  }

  SetMeta(key: string, value: string): boolean {
    this.Meta[key] = value;
    return true;
  }
  SetParsed(key: string, value: string): boolean {
    this.Parsed[key] = value;
    return true;
  }

  /** LOG: [Meta.source_ip] when it is an IP; OVFLW: the keys of Overflow.Sources. Strings, not parsed IPs. */
  ParseIPSources(): string[] {
    if (this.Type === LOG) {
      const ip = this.Meta.source_ip;
      return ip ? [ip] : [];
    }
    if (this.Type === OVFLW && this.Overflow) return Object.keys(this.Overflow.Sources);
    return [];
  }
}

/** models.MetaItems0 */
export interface MetaItem {
  Key: string;
  Value: string;
}

/** models.Event: one event attached to an alert. */
export class AlertEvent {
  constructor(
    public Timestamp: string,
    public Meta: MetaItem[],
  ) {}
  GetMeta(key: string): string {
    for (const m of this.Meta) if (m.Key === key) return m.Value;
    return '';
  }
  GetTimestamp(): string {
    return this.Timestamp;
  }
}

/** models.Source */
export class Source {
  AsName = '';
  AsNumber = '';
  Cn = '';
  IP = '';
  Latitude = 0;
  Longitude = 0;
  Range = '';
  Scope = '';
  Value = '';
  GetScope(): string {
    return this.Scope;
  }
  GetValue(): string {
    return this.Value;
  }
  GetIP(): string {
    return this.IP;
  }
  GetRange(): string {
    return this.Range;
  }
  GetAsName(): string {
    return this.AsName;
  }
  GetAsNumber(): string {
    return this.AsNumber;
  }
  GetCn(): string {
    return this.Cn;
  }
}

/** models.Decision */
export interface Decision {
  ID?: number;
  Duration: string;
  Origin: string;
  Scenario: string;
  Scope: string;
  Simulated: boolean;
  Type: string;
  Value: string;
  Until?: string;
  UUID?: string;
}

/** models.Alert (Go field names). */
export class Alert {
  ID = 0;
  Capacity = 0;
  CreatedAt = '';
  Decisions: Decision[] = [];
  Events: AlertEvent[] = [];
  EventsCount = 0;
  Kind = 'crowdsec';
  Labels: string[] = [];
  Leakspeed = '';
  MachineID = '';
  Message = '';
  Meta: MetaItem[] = [];
  Remediation = false;
  Scenario = '';
  ScenarioHash = '';
  ScenarioVersion = '';
  Simulated = false;
  Source: Source | null = null;
  StartAt = '';
  StopAt = '';
  UUID = '';

  GetScenario(): string {
    return this.Scenario;
  }
  GetEventsCount(): number {
    return this.EventsCount;
  }
  GetScope(): string {
    if (!this.Source) throw new TypeError('invalid memory address or nil pointer dereference (Alert.Source)');
    return this.Source.Scope;
  }
  GetValue(): string {
    if (!this.Source) throw new TypeError('invalid memory address or nil pointer dereference (Alert.Source)');
    return this.Source.Value;
  }
  GetMeta(key: string): string {
    for (const m of this.Meta) if (m.Key === key) return m.Value;
    return '';
  }
  GetCapacity(): number {
    return this.Capacity;
  }
  GetLeakspeed(): string {
    return this.Leakspeed;
  }
  GetMessage(): string {
    return this.Message;
  }
  GetSimulated(): boolean {
    return this.Simulated;
  }
  GetRemediation(): boolean {
    return this.Remediation;
  }
  GetStartAt(): string {
    return this.StartAt;
  }
  GetStopAt(): string {
    return this.StopAt;
  }
}

/** types.RuntimeAlert: what a bucket overflow carries. */
export class RuntimeAlert {
  Mapkey = '';
  BucketId = '';
  Whitelisted = false;
  Reprocess = false;
  Sources: Record<string, Source> = Object.create(null) as Record<string, Source>;
  Alert: Alert | null = null;
  APIAlerts: Alert[] = [];

  /** Keys of Sources (Go map order upstream; insertion order here, which is deterministic). */
  GetSources(): string[] {
    return Object.keys(this.Sources);
  }
}
