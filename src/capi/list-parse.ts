// The formats of a blocklist body (issue 13): plain text — one IP or CIDR a line, `#` and `;` comments, blank
// lines, CRLF (what CAPI `links.blocklists` URLs serve, capi.md §5.3, and lists such as FireHOL's or Spamhaus
// DROP) — and CrowdSec's JSON decision shapes: an array of values or of decisions (`cscli decisions import`
// JSON: `value`, optional `scope`, `type`, `duration`), the LAPI stream shape `{"new": [decision…]}`, or one JSON
// object a line (`{"value": …}`, the format of CAPI allowlist links). Owns: parsing and validation; a bad line is
// counted and the first one named, never fatal; the whole list is refused past `maxEntries`.

import { parseWireDuration } from '../api/wire-time.js';
import { normaliseScope } from '../api/scope.js';
import { PicketError } from '../core/errors.js';
import { parseIpOrRange } from '../store/iprange.js';

export const LIST_MAX_ENTRIES = 2_000_000;
/** longer than any IP, CIDR, AS or country value: refused before parsing */
const MAX_VALUE_CHARS = 128;

export interface ListEntry {
  scope: string;
  value: string;
  /** from a JSON record; the list's type otherwise */
  type?: string;
  /** from a JSON record (ms); the list's duration otherwise */
  durationMs?: number;
}

export interface ParsedList {
  entries: ListEntry[];
  invalid: number;
  /** the first bad line, e.g. `line 12: 'foo' is not an IP address or a CIDR range` */
  firstInvalid: string;
}

export class ListFormatError extends PicketError {
  constructor(message: string) {
    super('CAPI_LIST_FORMAT', message);
  }
}

class Collector {
  readonly out: ParsedList = { entries: [], invalid: 0, firstInvalid: '' };
  constructor(private readonly max: number) {}

  bad(where: string, why: string): void {
    if (this.out.invalid++ === 0) this.out.firstInvalid = `${where}: ${why}`;
  }

  /** an address or range (scope from the text unless given) */
  value(where: string, raw: string, extra: Omit<ListEntry, 'scope' | 'value'> & { scope?: string } = {}): void {
    const value = raw.trim();
    if (value.length > MAX_VALUE_CHARS) return this.bad(where, `a value of ${value.length} characters`);
    const scope = extra.scope !== undefined ? normaliseScope(extra.scope) : value.includes('/') ? 'Range' : 'Ip';
    if ((scope === 'Ip' || scope === 'Range') && parseIpOrRange(value) === null) {
      this.bad(where, `'${value.slice(0, 64)}' is not an IP address or a CIDR range`);
      return;
    }
    if (value === '') return this.bad(where, 'empty value');
    if (this.out.entries.length >= this.max)
      throw new ListFormatError(`more than ${this.max} entries (the bound of one list)`);
    const e: ListEntry = { scope, value };
    if (extra.type !== undefined) e.type = extra.type;
    if (extra.durationMs !== undefined) e.durationMs = extra.durationMs;
    this.out.entries.push(e);
  }

  /** one JSON item: a string, or an object with `value` */
  record(where: string, item: unknown): void {
    if (typeof item === 'string') return this.value(where, item);
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      return this.bad(where, 'not a value or an object');
    const o = item as Record<string, unknown>;
    if (typeof o.value !== 'string') return this.bad(where, 'no string `value`');
    const extra: Omit<ListEntry, 'value' | 'scope'> & { scope?: string } = {};
    if (typeof o.scope === 'string' && o.scope !== '') extra.scope = o.scope;
    if (typeof o.type === 'string' && o.type !== '') extra.type = o.type;
    if (typeof o.duration === 'string') {
      const ms = parseWireDuration(o.duration);
      if (ms === null || ms <= 0)
        return this.bad(where, `duration '${o.duration.slice(0, 32)}' is not a positive duration`);
      extra.durationMs = ms;
    }
    this.value(where, o.value, extra);
  }
}

function parseJsonDocument(c: Collector, doc: unknown): boolean {
  const items = Array.isArray(doc)
    ? doc
    : doc !== null && typeof doc === 'object' && Array.isArray((doc as { new?: unknown }).new)
      ? (doc as { new: unknown[] }).new
      : null;
  if (items === null) return false;
  items.forEach((it, i) => c.record(`item ${i + 1}`, it));
  return true;
}

/** parses a list body; throws ListFormatError only past `maxEntries` or for a JSON document of another shape */
export function parseList(text: string, maxEntries = LIST_MAX_ENTRIES): ParsedList {
  const c = new Collector(maxEntries);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const head = body.trimStart()[0];
  if (head === '[' || head === '{') {
    let doc: unknown = undefined;
    try {
      doc = JSON.parse(body);
    } catch {
      // not one document: one JSON object a line (below)
    }
    if (doc !== undefined) {
      if (!parseJsonDocument(c, doc)) throw new ListFormatError('a JSON list must be an array or {"new": [...]}');
      return c.out;
    }
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const where = `line ${i + 1}`;
    if (line.trimStart().startsWith('{')) {
      try {
        c.record(where, JSON.parse(line));
      } catch {
        c.bad(where, 'not a JSON object');
      }
      continue;
    }
    const hash = line.search(/[#;]/);
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line !== '') c.value(where, line);
  }
  return c.out;
}
