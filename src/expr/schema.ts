// Static types of the expression environments (expr.md §1, §6): the Go structs reachable from
// `evt`, `queue`, `leaky`, `signal`, `Alert`, `results`, with their fields and callable methods.
// Owns: the type model used by the compiler's checker and the per-environment variable tables.

import { GoTime } from '../core/gotime.js';

export type T =
  | { k: 'bool' }
  | { k: 'int' }
  | { k: 'float' }
  | { k: 'string' }
  | { k: 'nil' }
  | { k: 'time' }
  | { k: 'duration' }
  | { k: 'any' }
  | { k: 'array'; elem: T }
  | { k: 'map'; elem: T; np?: boolean /* no inherited keys (a Go map object): direct indexing is safe */ }
  | { k: 'struct'; name: string; fields: Record<string, T>; methods: Record<string, MethodSig>; open?: boolean };

export interface MethodSig {
  min: number;
  max: number;
  ret: T;
}

export const BOOL: T = { k: 'bool' };
export const INT: T = { k: 'int' };
export const FLOAT: T = { k: 'float' };
export const STRING: T = { k: 'string' };
export const NIL: T = { k: 'nil' };
export const TIME: T = { k: 'time' };
export const DURATION: T = { k: 'duration' };
export const ANY: T = { k: 'any' };
export const arr = (elem: T): T => ({ k: 'array', elem });
export const map = (elem: T): T => ({ k: 'map', elem });
const m = (min: number, ret: T, max = min): MethodSig => ({ min, max, ret });

export const STR_MAP: T = { k: 'map', elem: STRING, np: true };
export const ANY_MAP = map(ANY);

function struct(
  name: string,
  fields: Record<string, T>,
  methods: Record<string, MethodSig> = {},
  open = false,
): T & { k: 'struct' } {
  return { k: 'struct', name, fields, methods, open };
}

export const WEEKDAY = struct('time.Weekday', {}, { String: m(0, STRING) });
export const MONTH = struct('time.Month', {}, { String: m(0, STRING) });

const TIME_METHODS: Record<string, MethodSig> = {
  Year: m(0, INT),
  Month: m(0, MONTH),
  Day: m(0, INT),
  Hour: m(0, INT),
  Minute: m(0, INT),
  Second: m(0, INT),
  Nanosecond: m(0, INT),
  Weekday: m(0, WEEKDAY),
  YearDay: m(0, INT),
  Unix: m(0, INT),
  UnixMilli: m(0, INT),
  UnixNano: m(0, INT),
  UTC: m(0, TIME),
  Local: m(0, TIME),
  Sub: m(1, DURATION),
  Add: m(1, TIME),
  After: m(1, BOOL),
  Before: m(1, BOOL),
  Equal: m(1, BOOL),
  IsZero: m(0, BOOL),
  String: m(0, STRING),
  Format: m(1, STRING),
  In: m(1, TIME),
  Truncate: m(1, TIME),
  Round: m(1, TIME),
  Compare: m(1, INT),
  AddDate: m(3, TIME),
};
/** Time methods actually implemented by GoTime (another module may add Format etc.). */
export function timeMethods(): Record<string, MethodSig> {
  const out: Record<string, MethodSig> = {};
  const proto = GoTime.prototype as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(TIME_METHODS)) if (typeof proto[k] === 'function') out[k] = v;
  return out;
}

export const SOURCE = struct(
  'models.Source',
  {
    AsName: STRING,
    AsNumber: STRING,
    Cn: STRING,
    IP: STRING,
    Latitude: FLOAT,
    Longitude: FLOAT,
    Range: STRING,
    Scope: STRING,
    Value: STRING,
  },
  {
    GetScope: m(0, STRING),
    GetValue: m(0, STRING),
    GetIP: m(0, STRING),
    GetRange: m(0, STRING),
    GetAsName: m(0, STRING),
    GetAsNumber: m(0, STRING),
    GetCn: m(0, STRING),
  },
);

export const META_ITEM = struct('models.MetaItems0', { Key: STRING, Value: STRING });

export const ALERT_EVENT = struct(
  'models.Event',
  { Timestamp: STRING, Meta: arr(META_ITEM) },
  { GetMeta: m(1, STRING), GetTimestamp: m(0, STRING) },
);

export const DECISION = struct('models.Decision', {
  ID: INT,
  Duration: STRING,
  Origin: STRING,
  Scenario: STRING,
  Scope: STRING,
  Simulated: BOOL,
  Type: STRING,
  Value: STRING,
  Until: STRING,
  UUID: STRING,
});

export const ALERT = struct(
  'models.Alert',
  {
    ID: INT,
    Capacity: INT,
    CreatedAt: STRING,
    Decisions: arr(DECISION),
    Events: arr(ALERT_EVENT),
    EventsCount: INT,
    Kind: STRING,
    Labels: arr(STRING),
    Leakspeed: STRING,
    MachineID: STRING,
    Message: STRING,
    Meta: arr(META_ITEM),
    Remediation: BOOL,
    Scenario: STRING,
    ScenarioHash: STRING,
    ScenarioVersion: STRING,
    Simulated: BOOL,
    Source: SOURCE,
    StartAt: STRING,
    StopAt: STRING,
    UUID: STRING,
  },
  {
    GetScenario: m(0, STRING),
    GetEventsCount: m(0, INT),
    GetScope: m(0, STRING),
    GetValue: m(0, STRING),
    GetMeta: m(1, STRING),
    GetCapacity: m(0, INT),
    GetLeakspeed: m(0, STRING),
    GetMessage: m(0, STRING),
    GetSimulated: m(0, BOOL),
    GetRemediation: m(0, BOOL),
    GetStartAt: m(0, STRING),
    GetStopAt: m(0, STRING),
  },
);

export const RUNTIME_ALERT = struct(
  'types.RuntimeAlert',
  {
    Mapkey: STRING,
    BucketId: STRING,
    Whitelisted: BOOL,
    Reprocess: BOOL,
    Sources: { k: 'map', elem: SOURCE, np: true },
    Alert: ALERT,
    APIAlerts: arr(ALERT),
  },
  { GetSources: m(0, arr(STRING)) },
);

export const LINE = struct('types.Line', {
  Raw: STRING,
  Src: STRING,
  Time: TIME,
  Labels: STR_MAP,
  Process: BOOL,
  Module: STRING,
});

export const EVENT = struct(
  'types.Event',
  {},
  {
    GetType: m(0, STRING),
    GetMeta: m(1, STRING),
    SetMeta: m(2, BOOL),
    SetParsed: m(2, BOOL),
    ParseIPSources: m(0, arr(STRING)),
  },
);
Object.assign(EVENT.fields, {
  Type: INT,
  ExpectMode: INT,
  Whitelisted: BOOL,
  WhitelistReason: STRING,
  Stage: STRING,
  Line: LINE,
  Parsed: STR_MAP,
  Enriched: STR_MAP,
  Unmarshaled: ANY_MAP,
  Meta: STR_MAP,
  Overflow: RUNTIME_ALERT,
  Time: TIME,
  StrTime: STRING,
  StrTimeFormat: STRING,
  MarshaledTime: STRING,
  Process: BOOL,
  Appsec: ANY,
});

export const QUEUE = struct('types.Queue', { Queue: arr(EVENT), L: INT }, { GetQueue: m(0, arr(EVENT)) }, true);

export const LEAKY = struct(
  'leakybucket.Leaky',
  {
    Name: STRING,
    Mode: INT,
    Capacity: INT,
    CacheSize: INT,
    Queue: QUEUE,
    Total_count: INT,
    First_ts: TIME,
    Last_ts: TIME,
    Ovflw_ts: TIME,
    Mapkey: STRING,
    Uuid: STRING,
    Duration: DURATION,
    Leakspeed: DURATION,
    Pour: ANY,
    Signal: ANY,
    Suicide: ANY,
    Profiling: BOOL,
    Timedout: BOOL,
    BucketConfig: ANY,
    Limiter: ANY,
  },
  {},
  true,
);

export type EnvName = 'evt' | 'bucket' | 'overflow_filter' | 'profile' | 'hubtest';

export function envVars(env: EnvName): Record<string, T> {
  switch (env) {
    case 'evt':
      return { evt: EVENT };
    case 'bucket':
      return { evt: EVENT, queue: QUEUE, leaky: LEAKY };
    case 'overflow_filter':
      return { queue: QUEUE, signal: RUNTIME_ALERT, leaky: LEAKY, evt: EVENT };
    case 'profile':
      return { Alert: ALERT };
    case 'hubtest':
      return { results: ANY };
  }
}

export function typeName(t: T): string {
  switch (t.k) {
    case 'array':
      return '[]' + typeName(t.elem);
    case 'map':
      return 'map[string]' + typeName(t.elem);
    case 'struct':
      return t.name;
    case 'any':
      return 'interface {}';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'float':
      return 'float64';
    default:
      return t.k;
  }
}
