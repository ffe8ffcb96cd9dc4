// The events held by bucket queues, by store node (the store links nodes into queues; this holds what each node
// carries). A node of a scenario whose queue may keep slim copies (queued.ts slimQueue) holds its event packed:
// what an alert reads of it (alert.ts: Type, Meta, the Enriched GeoIP/AS values, MarshaledTime or Time) as an
// interned template (Meta keys and their repeated values, the Enriched values, the time's zone: shared by the
// events of one network, user and log file) plus, per node, the source address (an IPv4 as 4 bytes, another as
// its string) and the time in typed columns: ~10-14 bytes per queued event instead of a ~500-byte object graph,
// so a live spray's million buckets, each holding one event, fit in memory. The Event-shaped copy is rebuilt only
// when an alert is made (rare). Events that cannot be packed exactly (an overflow event, a time the columns
// cannot give back as the same text, a non-string Meta value) keep the slim copy of queued.ts; other scenarios'
// queues keep the whole event.
// Owns: the node -> event storage, the packing, the templates and their reference counts.

import { Event, LOG, newStrMap } from '../core/event.js';
import type { StrMap } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import { parseRFC3339 } from '../core/rfc3339.js';
import { formatIPv4, formatIPv6, parseIPv4At, parseIPv6At } from '../net/ip.js';
import { usToGoTime } from './alert.js';
import { slimEvent, rebuiltEvent } from './queued.js';

/** The Enriched keys an alert reads of a queued event (alert.ts eventSources). */
const ENRICHED_KEYS = ['ASNumber', 'ASNNumber', 'IsoCode', 'ASNOrg', 'Latitude', 'Longitude'] as const;

/** How a Meta value of a template is given back: a constant, the node's address, the event's MarshaledTime. */
const V_CONST = 0;
const V_IP = 1;
const V_TIME = 2;

/** How the node's address is kept: no source_ip in Meta, 4 bytes in ip4[], the string in strs, 16 bytes in the
 *  IPv6 arena at entry ip4[] (the text must come back exactly from the bytes, as a canonical text does) */
const IP_NONE = 0;
const IP_V4 = 1;
const IP_STR = 2;
const IP_V6 = 3;

/** The shared part of packed events. */
interface Template {
  id: number;
  hash: number;
  /** generation of value ids its signature was made in (newGen) */
  gen: number;
  sig: Int32Array;
  /** the next template with the same hash */
  nextSame: Template | undefined;
  refs: number;
  metaKeys: string[];
  kinds: number[];
  /** constant values (V_CONST slots), '' elsewhere */
  vals: string[];
  ipKind: number;
  /** the time columns hold MarshaledTime at zone offset `off` (true) or Time, UTC, whole ms (false) */
  marshaled: boolean;
  off: number;
  enriched: StrMap;
}

/** signature codes (value ids are >= 1): a time in UTC ms, the address slot, MarshaledTime, an absent value */
const S_UTC_MS = 0x7fffffff;
const S_IP = -1;
const S_TIME = -2;
const S_ABSENT = 0;
/** longest signature: an event with more Meta keys is not packed */
const SIG_MAX = 256;
/** templates at once (~1 KB each) and value ids per generation */
const MAX_TEMPLATES = 8192;
const MAX_VIDS = 65536;
/** packing tries per sample, and the events kept slim without trying after a sample that made mostly templates */
const SAMPLE = 1024;
const SKIP = 15 * 1024;
/** times from the epoch to 2^32 s after it fit the columns (as whole µs) */
const MAX_US = 2 ** 32 * 1e6;
const scratch4 = new Uint8Array(4);
const view4 = new DataView(scratch4.buffer);
const scratch16 = new Uint8Array(16);
const words16 = new Uint32Array(scratch16.buffer);

/** A string's characters in a flat string of their own (a grok slice keeps its whole line alive). */
function flat(s: string): string {
  return s.length >= 13 ? (' ' + s).slice(1) : s;
}

export class QueueStore {
  /** whole events and slim copies (tpl 0); grown only when a node needs it (a spray's nodes are all packed) */
  private objs: Array<Event | undefined> = [];
  /** the address text of packed IP_STR nodes (few: a non-canonical text) */
  private strs = new Map<number, string>();
  /** IPv6 addresses of packed nodes, 4 words an entry, and the free entries */
  private ip6 = new Uint32Array(4 * 256);
  private high6 = 0;
  private free6: number[] = [];
  /** template id + 1 of a packed node, 0 otherwise */
  private tpl = new Uint16Array(1024);
  /** the time of a packed node: whole seconds since the epoch, and the µs within the second in usf once an event
   *  has some (most logs have whole seconds: usf stays null) */
  private sec = new Uint32Array(1024);
  private usf: Uint32Array | null = null;
  private ip4 = new Uint32Array(1024);
  private templates: Array<Template | undefined> = [];
  private freeIds: number[] = [];
  /** templates by signature hash (chained by nextSame), of the current generation of value ids */
  private byHash = new Map<number, Template>();
  private vids = new Map<string, number>();
  private gen = 0;
  /** the signature of the event being packed: time zone, (key id, value id or slot code)..., Enriched, address */
  private sig = new Int32Array(SIG_MAX);
  /** the texts whose ids sig holds (the previous event's, position by position) */
  private prev: Array<string | undefined> = new Array<string | undefined>(SIG_MAX).fill(undefined);
  /** the last event packed and its parts (one event pours into several scenarios in a row); holds a reference */
  private lastEvt: Event | null = null;
  private lastTpl: Template | null = null;
  private lastTime = 0;
  private lastIp4 = 0;
  private lastIpStr: string | undefined = undefined;
  private lastSlim: Event | null = null;
  /** the last MarshaledTime text checked and its µs (NaN: the columns cannot give it back) */
  private tsText = '';
  private tsUs = NaN;
  private tsOff = 0;
  /** templates made so far; packing tries and templates made in the current sample; events left to keep slim */
  private made = 0;
  private tries = 0;
  private misses = 0;
  private skip = 0;

  /** Templates in use (for tests and stats). */
  templateCount(): number {
    return this.templates.length - this.freeIds.length;
  }

  /** Node `node` holds `evt`: what an alert reads of it when `slim` (its scenario's queue may keep only that:
   *  queued.ts slimQueue), else the whole event. */
  put(node: number, evt: Event, slim: boolean): void {
    if (slim) this.putSlim(node, evt);
    else this.putWhole(node, evt);
  }

  /** Node `node` holds `evt` whole. */
  putWhole(node: number, evt: Event): void {
    this.drop(node);
    this.setObj(node, evt);
  }

  /** Node `node` holds what an alert reads of `evt` (packed, or its slim copy when it cannot be). */
  putSlim(node: number, evt: Event): void {
    this.drop(node);
    if (evt !== this.lastEvt) this.pack(evt);
    const t = this.lastTpl;
    if (t === null) {
      this.setObj(node, this.lastSlim!);
      return;
    }
    if (node >= this.tpl.length) this.grow(node);
    t.refs++;
    this.tpl[node] = t.id + 1;
    const s = Math.floor(this.lastTime / 1e6);
    this.sec[node] = s;
    const f = this.lastTime - s * 1e6;
    if (f !== 0 && this.usf === null) this.usf = new Uint32Array(this.sec.length);
    if (this.usf !== null) this.usf[node] = f;
    if (t.ipKind === IP_V4) this.ip4[node] = this.lastIp4;
    else if (t.ipKind === IP_V6) this.ip4[node] = this.newIp6();
    else if (t.ipKind === IP_STR) this.strs.set(node, this.lastIpStr!);
    this.setObj(node, undefined);
  }

  /** objs[node] = v, growing objs only for a value (densely: a far index would make it a dictionary) */
  private setObj(node: number, v: Event | undefined): void {
    const objs = this.objs;
    if (node >= objs.length) {
      if (v === undefined) return;
      while (objs.length < node) objs.push(undefined);
    }
    objs[node] = v;
  }

  /** An arena entry holding the IPv6 bytes of scratch16. */
  private newIp6(): number {
    let e = this.free6.pop();
    if (e === undefined) {
      e = this.high6++;
      if (4 * e >= this.ip6.length) {
        const a = new Uint32Array(this.ip6.length * 2);
        a.set(this.ip6);
        this.ip6 = a;
      }
    }
    this.ip6.set(words16, 4 * e);
    return e;
  }

  /** The event of node `node` (rebuilt when packed). */
  get(node: number): Event {
    const id = node < this.tpl.length ? this.tpl[node]! : 0;
    if (id === 0) return this.objs[node]!;
    return this.unpack(this.templates[id - 1]!, node);
  }

  /** Node `node` holds nothing any more. */
  clear(node: number): void {
    this.drop(node);
    if (node < this.objs.length) this.objs[node] = undefined;
  }

  /** The last event packed is no longer poured (its template may go when its nodes do). */
  endBatch(): void {
    if (this.lastTpl !== null) this.unref(this.lastTpl);
    this.lastEvt = this.lastTpl = this.lastSlim = null;
    this.lastIpStr = undefined;
  }

  reset(): void {
    this.endBatch();
    this.tries = this.misses = this.skip = 0;
    this.objs = [];
    this.strs.clear();
    this.tpl = new Uint16Array(1024);
    this.sec = new Uint32Array(1024);
    this.usf = null;
    this.ip4 = new Uint32Array(1024);
    this.ip6 = new Uint32Array(4 * 256);
    this.high6 = 0;
    this.free6 = [];
    this.templates = [];
    this.freeIds = [];
    this.newGen();
  }

  private drop(node: number): void {
    if (node >= this.tpl.length) return;
    const id = this.tpl[node]!;
    if (id === 0) return;
    this.tpl[node] = 0;
    const t = this.templates[id - 1]!;
    if (t.ipKind === IP_V6) this.free6.push(this.ip4[node]!);
    else if (t.ipKind === IP_STR) this.strs.delete(node);
    this.unref(t);
  }

  private unref(t: Template): void {
    if (--t.refs > 0) return;
    if (t.gen === this.gen) this.unindex(t);
    this.templates[t.id] = undefined;
    this.freeIds.push(t.id);
  }

  /** Removes t from the chain of its hash. */
  private unindex(t: Template): void {
    let p = this.byHash.get(t.hash);
    if (p === t) {
      if (t.nextSame === undefined) this.byHash.delete(t.hash);
      else this.byHash.set(t.hash, t.nextSame);
    } else {
      while (p !== undefined && p.nextSame !== t) p = p.nextSame;
      if (p !== undefined) p.nextSame = t.nextSame;
    }
  }

  private grow(node: number): void {
    let n = this.tpl.length * 2;
    while (n <= node) n *= 2;
    const tpl = new Uint16Array(n);
    tpl.set(this.tpl);
    this.tpl = tpl;
    const sec = new Uint32Array(n);
    sec.set(this.sec);
    this.sec = sec;
    if (this.usf !== null) {
      const usf = new Uint32Array(n);
      usf.set(this.usf);
      this.usf = usf;
    }
    const ip4 = new Uint32Array(n);
    ip4.set(this.ip4);
    this.ip4 = ip4;
  }

  /** Packs evt into lastTpl / lastTime / lastIp4 / lastIpStr (a referenced template), or lastSlim when it cannot. */
  private pack(evt: Event): void {
    this.endBatch();
    this.lastEvt = evt;
    let t: Template | null = null;
    if (this.skip > 0) this.skip--;
    else if (evt.Type === LOG) {
      const made = this.made;
      t = this.template(evt);
      this.sample(this.made !== made);
    }
    if (t === null) {
      this.lastSlim = slimEvent(evt);
      return;
    }
    t.refs++;
    this.lastTpl = t;
  }

  /**
   * Packing pays when templates are shared: when most events of a sample make a template of their own (every
   * line has a new path, user agent...: an HTTP log), the next events keep slim copies without trying, then packing
   * is tried again.
   */
  private sample(madeOne: boolean): void {
    if (madeOne) this.misses++;
    if (++this.tries < SAMPLE) return;
    if (this.misses * 2 > SAMPLE) this.skip = SKIP;
    this.tries = this.misses = 0;
  }

  /** The template of evt (found or made, not yet referenced), its per-node parts in last*; null: not packable. */
  private template(evt: Event): Template | null {
    const m = evt.MarshaledTime;
    const sig = this.sig;
    const gen = this.gen;
    let n = 0;
    if (m !== '') {
      if (m !== this.tsText) this.checkTime(m);
      if (Number.isNaN(this.tsUs)) return null;
      this.lastTime = this.tsUs;
      sig[n++] = this.tsOff;
    } else {
      const tm = evt.Time;
      if (tm.nsFrac !== 0 || tm.offset !== 0 || tm.zone !== 'UTC') return null;
      this.lastTime = tm.ms * 1000;
      sig[n++] = S_UTC_MS;
    }
    // whole µs from 1970 to 2106: the columns' range
    if (!(this.lastTime >= 0 && this.lastTime < MAX_US) || !Number.isInteger(this.lastTime)) return null;
    const meta = evt.Meta;
    let ipKind = IP_NONE;
    for (const k in meta) {
      const v = meta[k] as unknown;
      if (typeof v !== 'string' || n >= SIG_MAX - 8) return null;
      sig[n] = this.vidAt(n, k);
      n++;
      if (k === 'source_ip') {
        if (parseIPv4At(v, 0, v.length, scratch4, 0)) {
          ipKind = IP_V4;
          this.lastIp4 = view4.getUint32(0);
        } else if (parseIPv6At(v, 0, v.length, scratch16) && formatIPv6(scratch16) === v) ipKind = IP_V6;
        else {
          ipKind = IP_STR;
          this.lastIpStr = flat(v);
        }
        this.code(n++, S_IP);
      } else if (v === m) this.code(n++, S_TIME);
      else {
        sig[n] = this.vidAt(n, v);
        n++;
      }
    }
    const en = evt.Enriched;
    n = this.enrichedSig(n, en.ASNumber);
    n = this.enrichedSig(n, en.ASNNumber);
    n = this.enrichedSig(n, en.IsoCode);
    n = this.enrichedSig(n, en.ASNOrg);
    n = this.enrichedSig(n, en.Latitude);
    n = this.enrichedSig(n, en.Longitude);
    this.code(n++, ipKind);
    let h = n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ sig[i]!, 0x9e3779b1) ^ (h >>> 15);
    for (let t = this.byHash.get(h); t !== undefined; t = t.nextSame) if (this.sameSig(t, n)) return t;
    if (this.gen !== gen) return this.template(evt); // the ids were renewed midway: a signature of one generation
    if (this.templateCount() >= MAX_TEMPLATES) return null;
    return this.newTemplate(h, n, evt, ipKind, m !== '');
  }

  /** The id of text s at signature position n: the previous event's when it had the same text there. */
  private vidAt(n: number, s: string): number {
    if (this.prev[n] === s) return this.sig[n]!;
    this.prev[n] = s;
    return this.vid(s);
  }

  /** An Enriched value (ENRICHED_KEYS, in order) at signature position n; returns the next position. */
  private enrichedSig(n: number, v: string | undefined): number {
    if (v === undefined) this.code(n, S_ABSENT);
    else this.sig[n] = this.vidAt(n, v);
    return n + 1;
  }

  /** A slot code at signature position n. */
  private code(n: number, c: number): void {
    this.sig[n] = c;
    this.prev[n] = undefined;
  }

  /** The id of a Meta key or value (ids are compared instead of texts; the table is bounded: see newGen). */
  private vid(s: string): number {
    let id = this.vids.get(s);
    if (id === undefined) {
      if (this.vids.size >= MAX_VIDS) this.newGen();
      id = this.vids.size + 1;
      this.vids.set(s, id);
    }
    return id;
  }

  /**
   * Forgets the value ids and the index of templates (queued nodes keep theirs; an event like theirs makes a new
   * one): a content with ever new Meta values (a path, a user agent) must not grow the id table without bound.
   */
  private newGen(): void {
    this.vids.clear();
    this.byHash.clear();
    this.prev.fill(undefined);
    this.gen++;
  }

  private sameSig(t: Template, n: number): boolean {
    const a = t.sig;
    if (a.length !== n) return false;
    const sig = this.sig;
    for (let i = 0; i < n; i++) if (a[i] !== sig[i]) return false;
    return true;
  }

  private newTemplate(h: number, n: number, evt: Event, ipKind: number, marshaled: boolean): Template {
    const metaKeys = Object.keys(evt.Meta);
    const kinds: number[] = new Array(metaKeys.length);
    const vals: string[] = new Array(metaKeys.length);
    for (let i = 0; i < metaKeys.length; i++) {
      const code = this.sig[2 + 2 * i]!;
      kinds[i] = code === S_IP ? V_IP : code === S_TIME ? V_TIME : V_CONST;
      vals[i] = kinds[i] === V_CONST ? flat(evt.Meta[metaKeys[i]!]!) : '';
    }
    const enriched = newStrMap();
    for (const k of ENRICHED_KEYS) {
      const v = evt.Enriched[k];
      if (v !== undefined) enriched[k] = flat(v);
    }
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.templates.length;
    const t: Template = {
      id,
      hash: h,
      gen: this.gen,
      sig: this.sig.slice(0, n),
      nextSame: this.byHash.get(h),
      refs: 0,
      metaKeys,
      kinds,
      vals,
      ipKind,
      marshaled,
      off: marshaled ? this.sig[0]! : 0,
      enriched: Object.freeze(enriched),
    };
    this.templates[id] = t;
    this.byHash.set(h, t);
    this.made++;
    return t;
  }

  /** Caches whether MarshaledTime text m comes back exactly from its µs and offset (tsUs NaN when not). */
  private checkTime(m: string): void {
    this.tsText = m;
    this.tsUs = NaN;
    const p = parseRFC3339(m);
    if (p === null || usToGoTime(p.us, p.off).toRFC3339Nano() !== m) return;
    this.tsUs = p.us;
    this.tsOff = p.off;
  }

  private unpack(t: Template, node: number): Event {
    let ts = '';
    let time: GoTime;
    const us = this.sec[node]! * 1e6 + (this.usf !== null ? this.usf[node]! : 0);
    if (t.marshaled) {
      time = GoTime.zero();
      ts = usToGoTime(us, t.off).toRFC3339Nano();
    } else time = new GoTime(us / 1000, 0, 0, 'UTC');
    let ip = '';
    if (t.ipKind === IP_V4) {
      view4.setUint32(0, this.ip4[node]!);
      ip = formatIPv4(scratch4, 0);
    } else if (t.ipKind === IP_V6) {
      const e = 4 * this.ip4[node]!;
      words16.set(this.ip6.subarray(e, e + 4));
      ip = formatIPv6(scratch16);
    } else if (t.ipKind === IP_STR) ip = this.strs.get(node)!;
    const meta = newStrMap();
    for (let i = 0; i < t.metaKeys.length; i++) {
      const kind = t.kinds[i]!;
      meta[t.metaKeys[i]!] = kind === V_CONST ? t.vals[i]! : kind === V_IP ? ip : ts;
    }
    return rebuiltEvent(meta, t.enriched, ts, time);
  }
}
