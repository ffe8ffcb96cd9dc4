// What a bucket queue keeps of an event. The alert of a plain scenario reads only the type, Meta, the Enriched
// GeoIP/AS values and the time of its queued events (alert.ts: sources, events, message), so its queue keeps a
// slim copy that shares those (Meta and Enriched by reference: a fresh map would cost more than it saves) and drops
// the rest (the raw line, Parsed, Unmarshaled, the line's labels): an
// address spray keeps ~90,000 events queued until their limiters are full again, and the parse maps were most of
// each one's memory. Scenarios whose expressions may read any field of a queued event keep the whole event:
// conditional and bayesian ones (queue in their expressions), overflow_filter, a scope expression, timed (counter)
// buckets (groupby re-run on a queued event in LIVE mode), and every scenario when an alert context is set (its
// expressions run on the queue).
// The queue storage (queue-store.ts) packs a slim copy further when it can: what follows is the form of an event it
// cannot pack, and of a packed one rebuilt for an alert.
// Owns: that decision and the slim copy.

import { Event, LIVE, LOG } from '../core/event.js';
import type { StrMap } from '../core/event.js';
import type { GoTime } from '../core/gotime.js';
import type { Scenario } from './scenario.js';
import type { AlertContext } from './context.js';

/** Whether the queue of scenario `s` may keep slim copies (see the header). */
export function slimQueue(s: Scenario, ctx: AlertContext | undefined): boolean {
  if (ctx !== undefined && ctx.keys.length > 0) return false;
  if (s.type !== 'leaky' && s.type !== 'trigger') return false;
  return s.overflowFilter === null && s.scopeExpr === null && s.condition === null && !s.timed;
}

const EMPTY_LINE = Object.freeze({
  Raw: '',
  Src: '',
  Time: new Event().Line.Time,
  Labels: Object.freeze(Object.create(null) as Record<string, string>),
  Process: false,
  Module: '',
});
const EMPTY_MAP = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * A slim copy's own class: the fields an alert reads in the object (an object made by Object.create(Event.prototype)
 * kept its fields in a separate property array: +100 bytes), the constant ones (empty line and parse maps, not
 * whitelisted) once on its prototype, whose prototype is Event.prototype (Event's methods are inherited).
 */
class SlimEvent {
  Type: number;
  ExpectMode: number;
  Enriched: Event['Enriched'];
  Meta: Event['Meta'];
  Overflow: Event['Overflow'];
  Time: Event['Time'];
  MarshaledTime: string;
  Process: boolean;
  declare Whitelisted: boolean;
  declare WhitelistReason: string;
  declare Stage: string;
  declare Line: Event['Line'];
  declare Parsed: Event['Parsed'];
  declare Unmarshaled: Event['Unmarshaled'];
  declare StrTime: string;
  declare StrTimeFormat: string;
  constructor(
    type: number,
    expectMode: number,
    enriched: Event['Enriched'],
    meta: Event['Meta'],
    time: Event['Time'],
    marshaledTime: string,
    process: boolean,
  ) {
    this.Type = type;
    this.ExpectMode = expectMode;
    this.Enriched = enriched;
    this.Meta = meta;
    this.Overflow = null;
    this.Time = time;
    this.MarshaledTime = marshaledTime;
    this.Process = process;
  }
}
Object.setPrototypeOf(SlimEvent.prototype, Event.prototype);
Object.assign(SlimEvent.prototype, {
  Whitelisted: false,
  WhitelistReason: '',
  Stage: '',
  Line: EMPTY_LINE,
  Parsed: EMPTY_MAP,
  Unmarshaled: EMPTY_MAP,
  StrTime: '',
  StrTimeFormat: '',
});

/**
 * The slim copy of a LOG event (an overflow event reprocessed into a bucket is kept whole): Meta and Enriched
 * shared, the time; frozen empty parse maps (a write to them throws instead of being lost).
 */
export function slimEvent(evt: Event): Event {
  if (evt.Type !== LOG) return evt;
  // the grok capture of the address is a slice of the raw line (V8 slices strings of 13+ characters) that keeps
  // the whole line alive as long as the event is queued: a flat copy of the same text instead
  const ip = evt.Meta.source_ip;
  if (ip !== undefined && ip.length >= 13) evt.Meta.source_ip = (' ' + ip).slice(1);
  const { Type, ExpectMode, Enriched, Meta, Time, MarshaledTime, Process } = evt;
  return new SlimEvent(Type, ExpectMode, Enriched, Meta, Time, MarshaledTime, Process) as unknown as Event;
}

/** A LOG event rebuilt from what an alert reads of it (queue-store.ts packed nodes). */
export function rebuiltEvent(meta: StrMap, enriched: StrMap, marshaledTime: string, time: GoTime): Event {
  return new SlimEvent(LOG, LIVE, enriched, meta, time, marshaledTime, true) as unknown as Event;
}
