// What a bucket queue keeps of an event. The alert of a plain scenario reads only the type, Meta, the Enriched
// GeoIP/AS values and the time of its queued events (alert.ts: sources, events, message), so its queue keeps a
// slim copy that shares those (Meta and Enriched by reference: a fresh map would cost more than it saves) and drops
// the rest (the raw line, Parsed, Unmarshaled, the line's labels): an
// address spray keeps ~90,000 events queued until their limiters are full again, and the parse maps were most of
// each one's memory. Scenarios whose expressions may read any field of a queued event keep the whole event:
// conditional and bayesian ones (queue in their expressions), overflow_filter, a scope expression, timed (counter)
// buckets (groupby re-run on a queued event in LIVE mode), and every scenario when an alert context is set (its
// expressions run on the queue).
// Owns: that decision and the slim copy.

import { Event, LOG } from '../core/event.js';
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
 * The slim copy of a LOG event (an overflow event reprocessed into a bucket is kept whole): Meta and Enriched
 * shared, the time; frozen empty parse maps (a write to them throws instead of being lost).
 */
export function slimEvent(evt: Event): Event {
  if (evt.Type !== LOG) return evt;
  const c = Object.create(Event.prototype) as Event;
  c.Type = evt.Type;
  c.ExpectMode = evt.ExpectMode;
  c.Whitelisted = evt.Whitelisted;
  c.WhitelistReason = evt.WhitelistReason;
  c.Stage = evt.Stage;
  c.Line = EMPTY_LINE as Event['Line'];
  c.Parsed = EMPTY_MAP as Record<string, string>;
  c.Enriched = evt.Enriched;
  c.Unmarshaled = EMPTY_MAP as Record<string, unknown>;
  c.Meta = evt.Meta;
  c.Overflow = null;
  c.Time = evt.Time;
  c.StrTime = '';
  c.StrTimeFormat = '';
  c.MarshaledTime = evt.MarshaledTime;
  c.Process = evt.Process;
  return c;
}
