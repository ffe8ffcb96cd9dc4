// What a notification template sees: CrowdSec's models.Alert with Go field names (`.Source.IP`, `.Scenario`,
// `.Decisions`, `.Meta`, `.Events`, `.MachineID` ...) and its getters (`GetScope`, `GetValue`, `GetMeta` ...),
// built from the LAPI wire JSON of an alert (GET /v1/alerts/:id shape). `toJson` on any of them gives that
// wire JSON back (Go's encoding of the model). Owns the view classes and the helper functions CrowdSec adds to
// the template function map (GetMeta, Hostname, HTMLEscape, CrowdsecCTI).

import os from 'node:os';
import { GoStruct, type TemplateFunc } from './template/index.js';

type Json = Record<string, unknown>;

function s(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}
function n(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}
function b(v: unknown): boolean {
  return v === true;
}
function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Attaches the wire JSON as a non-enumerable property (so printing and field listing skip it). */
function withWire<T extends object>(o: T, wire: unknown): T {
  Object.defineProperty(o, 'wire', { value: wire, enumerable: false });
  return o;
}

export class GoMeta extends GoStruct {
  Key: string;
  Value: string;
  constructor(j: Json) {
    super();
    this.Key = s(j.key);
    this.Value = s(j.value);
    withWire(this, j);
  }
  goType(): string {
    return '*models.MetaItems0';
  }
  toJSON(): unknown {
    return (this as unknown as { wire: unknown }).wire;
  }
}

export class GoSource extends GoStruct {
  AsName: string;
  AsNumber: string;
  Cn: string;
  IP: string;
  Latitude: number;
  Longitude: number;
  Range: string;
  Scope: string;
  Value: string;
  constructor(j: Json) {
    super();
    this.AsName = s(j.as_name);
    this.AsNumber = s(j.as_number);
    this.Cn = s(j.cn);
    this.IP = s(j.ip);
    this.Latitude = n(j.latitude);
    this.Longitude = n(j.longitude);
    this.Range = s(j.range);
    this.Scope = s(j.scope);
    this.Value = s(j.value);
    withWire(this, j);
  }
  goType(): string {
    return '*models.Source';
  }
  toJSON(): unknown {
    return (this as unknown as { wire: unknown }).wire;
  }
  GetScope(): string {
    return this.Scope;
  }
  GetValue(): string {
    return this.Value;
  }
}

export class GoDecision extends GoStruct {
  Duration: string;
  ID: number;
  Origin: string;
  Scenario: string;
  Scope: string;
  Simulated: boolean;
  Type: string;
  UUID: string;
  Until: string;
  Value: string;
  constructor(j: Json) {
    super();
    this.Duration = s(j.duration);
    this.ID = n(j.id);
    this.Origin = s(j.origin);
    this.Scenario = s(j.scenario);
    this.Scope = s(j.scope);
    this.Simulated = b(j.simulated);
    this.Type = s(j.type);
    this.UUID = s(j.uuid);
    this.Until = s(j.until);
    this.Value = s(j.value);
    withWire(this, j);
  }
  goType(): string {
    return '*models.Decision';
  }
  toJSON(): unknown {
    return (this as unknown as { wire: unknown }).wire;
  }
}

export class GoEvent extends GoStruct {
  Meta: GoMeta[];
  Timestamp: string;
  constructor(j: Json) {
    super();
    this.Meta = arr(j.meta).map((m) => new GoMeta(obj(m)));
    this.Timestamp = s(j.timestamp);
    withWire(this, j);
  }
  goType(): string {
    return '*models.Event';
  }
  toJSON(): unknown {
    return (this as unknown as { wire: unknown }).wire;
  }
  GetMeta(key: string): string {
    return this.Meta.find((m) => m.Key === key)?.Value ?? '';
  }
}

export class GoAlert extends GoStruct {
  Capacity: number;
  CreatedAt: string;
  Decisions: GoDecision[];
  Events: GoEvent[];
  EventsCount: number;
  ID: number;
  Kind: string;
  Labels: string[] | null;
  Leakspeed: string;
  MachineID: string;
  Message: string;
  Meta: GoMeta[];
  Remediation: boolean;
  Scenario: string;
  ScenarioHash: string;
  ScenarioVersion: string;
  Simulated: boolean;
  Source: GoSource | null;
  StartAt: string;
  StopAt: string;
  UUID: string;
  constructor(j: Json) {
    super();
    this.Capacity = n(j.capacity);
    this.CreatedAt = s(j.created_at);
    this.Decisions = arr(j.decisions).map((d) => new GoDecision(obj(d)));
    this.Events = arr(j.events).map((e) => new GoEvent(obj(e)));
    this.EventsCount = n(j.events_count);
    this.ID = n(j.id);
    this.Kind = s(j.kind);
    this.Labels = Array.isArray(j.labels) ? j.labels.map(s) : null;
    this.Leakspeed = s(j.leakspeed);
    this.MachineID = s(j.machine_id);
    this.Message = s(j.message);
    this.Meta = arr(j.meta).map((m) => new GoMeta(obj(m)));
    this.Remediation = b(j.remediation);
    this.Scenario = s(j.scenario);
    this.ScenarioHash = s(j.scenario_hash);
    this.ScenarioVersion = s(j.scenario_version);
    this.Simulated = b(j.simulated);
    this.Source = j.source && typeof j.source === 'object' ? new GoSource(obj(j.source)) : null;
    this.StartAt = s(j.start_at);
    this.StopAt = s(j.stop_at);
    this.UUID = s(j.uuid);
    withWire(this, j);
  }
  goType(): string {
    return '*models.Alert';
  }
  toJSON(): unknown {
    return (this as unknown as { wire: unknown }).wire;
  }
  private source(): GoSource {
    if (this.Source === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
    return this.Source;
  }
  GetScope(): string {
    return this.source().Scope;
  }
  GetValue(): string {
    return this.source().Value;
  }
  GetScenario(): string {
    return this.Scenario;
  }
  GetEventsCount(): number {
    return this.EventsCount;
  }
  GetMeta(key: string): string {
    return this.Meta.find((m) => m.Key === key)?.Value ?? '';
  }
}

/** The CTI answer CrowdSec's helper returns when no CTI key is configured: an empty item. */
class EmptyCti extends GoStruct {
  Ip = '';
  Location = { City: '', Country: '', Latitude: 0, Longitude: 0 };
  goType(): string {
    return '*cticlient.SmokeItem';
  }
  GetMaliciousnessScore(): number {
    return 0;
  }
  GetBackgroundNoiseScore(): number {
    return 0;
  }
}

/** The functions CrowdSec adds to the template function map (pkg/csplugin/helpers.go). */
export const CROWDSEC_FUNCS: Record<string, TemplateFunc> = {
  GetMeta: (a, key) => {
    if (!(a instanceof GoAlert)) throw new Error('wrong type for value; expected *models.Alert');
    const out: string[] = [];
    for (const e of a.Events) for (const m of e.Meta) if (m.Key === key) out.push(m.Value);
    return out;
  },
  Hostname: () => os.hostname(),
  HTMLEscape: (v) =>
    s(v).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;' })[c]!),
  CrowdsecCTI: () => new EmptyCti(),
};

/** Wire JSON alerts -> the list a notification template receives as `.` */
export function templateAlerts(alerts: Json[]): GoAlert[] {
  return alerts.map((a) => new GoAlert(a));
}
