// A parsed LOG event as a structured-clone-safe object, for the trip from a pool worker to the main thread
// (global scenarios, global-merge.ts). Owns: eventToWire / eventFromWire. Every field a scenario, the alert
// builder or a postoverflow reads survives the trip; Overflow is null on LOG events and is not carried.

import { Event, newGoMap, newStrMap, type StrMap } from '../core/event.js';
import { GoTime } from '../core/gotime.js';

type WireTime = [ms: number, nsFrac: number, offset: number, zone: string];

export interface WireEvent {
  type: number;
  mode: number;
  whitelisted: boolean;
  whitelistReason: string;
  stage: string;
  process: boolean;
  parsed: Record<string, string>;
  enriched: Record<string, string>;
  meta: Record<string, string>;
  unmarshaled: Record<string, unknown>;
  time: WireTime;
  strTime: string;
  strTimeFormat: string;
  marshaledTime: string;
  line: { raw: string; src: string; module: string; labels: Record<string, string>; process: boolean; time: WireTime };
}

const timeOf = (t: GoTime): WireTime => [t.ms, t.nsFrac, t.offset, t.zone];
const goTime = (w: WireTime): GoTime => new GoTime(w[0], w[1], w[2], w[3]);
const plain = (m: StrMap): Record<string, string> => ({ ...m });

export function eventToWire(e: Event): WireEvent {
  return {
    type: e.Type,
    mode: e.ExpectMode,
    whitelisted: e.Whitelisted,
    whitelistReason: e.WhitelistReason,
    stage: e.Stage,
    process: e.Process,
    parsed: plain(e.Parsed),
    enriched: plain(e.Enriched),
    meta: plain(e.Meta),
    unmarshaled: { ...e.Unmarshaled },
    time: timeOf(e.Time),
    strTime: e.StrTime,
    strTimeFormat: e.StrTimeFormat,
    marshaledTime: e.MarshaledTime,
    line: {
      raw: e.Line.Raw,
      src: e.Line.Src,
      module: e.Line.Module,
      labels: plain(e.Line.Labels),
      process: e.Line.Process,
      time: timeOf(e.Line.Time),
    },
  };
}

export function eventFromWire(w: WireEvent): Event {
  const e = new Event({
    Raw: w.line.raw,
    Src: w.line.src,
    Module: w.line.module,
    Labels: newStrMap(w.line.labels),
    Process: w.line.process,
    Time: goTime(w.line.time),
  });
  e.Type = w.type;
  e.ExpectMode = w.mode;
  e.Whitelisted = w.whitelisted;
  e.WhitelistReason = w.whitelistReason;
  e.Stage = w.stage;
  e.Process = w.process;
  e.Parsed = newStrMap(w.parsed);
  e.Enriched = newStrMap(w.enriched);
  e.Meta = newStrMap(w.meta);
  e.Unmarshaled = newGoMap(w.unmarshaled);
  e.Time = goTime(w.time);
  e.StrTime = w.strTime;
  e.StrTimeFormat = w.strTimeFormat;
  e.MarshaledTime = w.marshaledTime;
  return e;
}
