// The answer of GET /v3/decisions/stream (capi.md §5.2) as the puller uses it: `new` groups (scenario, scope,
// decisions of value + duration), `deleted` groups (scope, values), `links.blocklists` and `links.allowlists`.
// Owns: the shape check (a body that is not this object is refused with the field named) and per-item leniency
// (an item missing a required field, with a bad duration or address, is skipped and counted; the first is named
// for the log).

import { normaliseScope } from '../api/scope.js';
import { parseWireDuration } from '../api/wire-time.js';
import { PicketError } from '../core/errors.js';
import { parseIpOrRange } from '../store/iprange.js';
import type { BlocklistLink } from './lists.js';

export interface CommunityEntry {
  scenario: string;
  scope: string;
  value: string;
  durationMs: number;
}

export interface StreamAnswer {
  news: CommunityEntry[];
  deleted: { scope: string; values: string[] }[];
  /** null when the answer has no `links` (additional_pull=false, or a central without lists) */
  links: BlocklistLink[] | null;
  /** `links.allowlists` (capi.md §5.3 step 2); [] when absent */
  allowlists: AllowlistLink[];
  skipped: number;
  firstSkipped: string;
}

/** one `links.allowlists` item: a list the central manages for this site */
export interface AllowlistLink {
  name: string;
  url: string;
  id: string;
  description: string;
  created_at: string;
  updated_at: string;
}

const ALLOWLIST_LINK_KEYS = ['name', 'url', 'id', 'description', 'created_at', 'updated_at'] as const;

export class StreamAnswerError extends PicketError {
  constructor(message: string) {
    super('CAPI_BAD_STREAM', message);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (o: Obj, k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);

function arrayField(o: Obj, k: string, where: string): unknown[] {
  const v = o[k];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new StreamAnswerError(`${where}.${k}: an array expected`);
  return v;
}

function addressOk(scope: string, value: string): boolean {
  return (scope !== 'Ip' && scope !== 'Range') || parseIpOrRange(value) !== null;
}

export function parseStreamAnswer(text: string): StreamAnswer {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StreamAnswerError(`decisions stream: not JSON (${(e as Error).message.slice(0, 100)})`);
  }
  if (!isObj(doc)) throw new StreamAnswerError('decisions stream: a JSON object expected');
  const out: StreamAnswer = { news: [], deleted: [], links: null, allowlists: [], skipped: 0, firstSkipped: '' };
  const skip = (where: string, why: string): void => {
    if (out.skipped++ === 0) out.firstSkipped = `${where}: ${why}`;
  };
  arrayField(doc, 'new', 'decisions stream').forEach((g, i) => {
    const where = `new[${i}]`;
    const scenario = isObj(g) ? str(g, 'scenario') : null;
    const scope = isObj(g) ? str(g, 'scope') : null;
    if (!isObj(g) || scenario === null || scope === null || !Array.isArray(g.decisions))
      return skip(where, 'scenario, scope and decisions required');
    const s = normaliseScope(scope);
    g.decisions.forEach((d: unknown, j) => {
      const value = isObj(d) ? str(d, 'value') : null;
      const dur = isObj(d) ? str(d, 'duration') : null;
      const ms = dur === null ? null : parseWireDuration(dur);
      if (value === null || ms === null) return skip(`${where}.decisions[${j}]`, 'value and duration required');
      if (ms <= 0 || !addressOk(s, value)) return skip(`${where}.decisions[${j}]`, `bad entry '${value.slice(0, 64)}'`);
      out.news.push({ scenario, scope: s, value, durationMs: ms });
    });
  });
  arrayField(doc, 'deleted', 'decisions stream').forEach((g, i) => {
    const scope = isObj(g) ? str(g, 'scope') : null;
    if (!isObj(g) || scope === null || !Array.isArray(g.decisions))
      return skip(`deleted[${i}]`, 'scope and decisions required');
    out.deleted.push({ scope: normaliseScope(scope), values: g.decisions.filter((v) => typeof v === 'string') });
  });
  if (isObj(doc.links)) {
    out.links = [];
    arrayField(doc.links, 'blocklists', 'decisions stream: links').forEach((l, i) => {
      const f = ['name', 'url', 'remediation', 'scope', 'duration'].map((k) => (isObj(l) ? str(l, k) : null));
      if (f.some((v) => v === null) || !/^https?:\/\//i.test(f[1]!))
        return skip(`links.blocklists[${i}]`, 'name, url (http/https), remediation, scope and duration required');
      const [name, url, remediation, scope, duration] = f as string[];
      out.links!.push({ name, url, remediation, scope, duration });
    });
    arrayField(doc.links, 'allowlists', 'decisions stream: links').forEach((l, i) => {
      const f = ALLOWLIST_LINK_KEYS.map((k) => (isObj(l) ? str(l, k) : null));
      if (f.some((v) => v === null) || f[0] === '' || !/^https?:\/\//i.test(f[1]!))
        return skip(`links.allowlists[${i}]`, `${ALLOWLIST_LINK_KEYS.join(', ')} required (url http/https)`);
      out.allowlists.push(Object.fromEntries(ALLOWLIST_LINK_KEYS.map((k, j) => [k, f[j]])) as unknown as AllowlistLink);
    });
  }
  return out;
}
