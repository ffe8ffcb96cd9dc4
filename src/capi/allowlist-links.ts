// The central's allowlist links (capi.md §5.3 step 2): each `links.allowlists` URL is downloaded (undici through
// ./list-fetch.ts: plain GET, bounded in time and size), its body — one JSON object a line `{value, description,
// created_at, expiration}` — replaces the local allowlist of the link's name as a whole (description saying it
// comes from the central API), then the active Ip/Range decisions its items cover expire, as `picket allowlists
// add` does. Owns: that body's parsing (a bad line is counted and skipped, the first named; a failed download
// keeps the list as it was) and the order. Never throws: a pull is never aborted by a list.

import { parseRfc3339 } from '../api/wire-time.js';
import { errorMessage } from '../core/errors.js';
import { expireCoveredDecisions, type AllowlistItem, type AllowlistStore } from '../store/allowlists.js';
import { parseIpOrRange } from '../store/iprange.js';
import type { LapiStore } from '../store/records.js';
import { fetchList } from './list-fetch.js';
import type { AllowlistLink } from './stream-answer.js';

/** bound of one allowlist body (an allowlist is small; 100,000 lines of ~100 bytes) */
export const ALLOWLIST_MAX_BYTES = 10 * 1024 * 1024;
/** the description of a list the central manages starts with this */
export const CAPI_ALLOWLIST_PREFIX = 'CAPI allowlist';

export interface AllowlistBody {
  items: AllowlistItem[];
  invalid: number;
  firstInvalid: string;
}

export interface AllowlistLinkReport {
  name: string;
  outcome: 'replaced' | 'failed';
  items: number;
  invalid: number;
  /** decisions the list's items expired */
  expired: number;
  error: string;
}

/** a time of the body: RFC 3339, or null when absent, empty or Go's zero time (year 1) */
function when(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return undefined;
  const ms = parseRfc3339(v);
  if (Number.isNaN(ms)) return undefined;
  return ms < Date.UTC(1971, 0, 1) ? null : ms;
}

/** parses one allowlist body; never throws */
export function parseAllowlistBody(text: string, now: number): AllowlistBody {
  const out: AllowlistBody = { items: [], invalid: 0, firstInvalid: '' };
  const bad = (line: number, why: string): void => {
    if (out.invalid++ === 0) out.firstInvalid = `line ${line}: ${why}`;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      bad(i + 1, 'not a JSON object');
      continue;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      bad(i + 1, 'not a JSON object');
      continue;
    }
    const r = o as Record<string, unknown>;
    if (typeof r.value !== 'string' || parseIpOrRange(r.value) === null) {
      bad(i + 1, `value '${String(r.value).slice(0, 64)}' is not an IP address or a CIDR range`);
      continue;
    }
    const created = when(r.created_at);
    const expiration = when(r.expiration);
    if (created === undefined || expiration === undefined) {
      bad(i + 1, 'created_at / expiration must be RFC 3339 times');
      continue;
    }
    const description = typeof r.description === 'string' ? r.description.slice(0, 1024) : '';
    out.items.push({ value: r.value, description, createdAt: created ?? now, expiration });
  }
  return out;
}

/** downloads and applies every link, in order; one report per link */
export async function syncAllowlistLinks(
  links: readonly AllowlistLink[],
  allowlists: AllowlistStore,
  store: Pick<LapiStore, 'expireDecisions'>,
  now: number,
  log: (line: string) => void = () => undefined,
): Promise<AllowlistLinkReport[]> {
  const reports: AllowlistLinkReport[] = [];
  for (const link of links) {
    const rep: AllowlistLinkReport = {
      name: link.name,
      outcome: 'failed',
      items: 0,
      invalid: 0,
      expired: 0,
      error: '',
    };
    reports.push(rep);
    try {
      const got = await fetchList(link.url, { force: true, maxBytes: ALLOWLIST_MAX_BYTES });
      if (got.kind !== 'changed') throw new Error(got.kind === 'failed' ? got.reason : 'unexpected 304');
      const body = parseAllowlistBody(got.text, now);
      rep.invalid = body.invalid;
      if (body.invalid) log(`capi: allowlist ${link.name}: ${body.invalid} bad line(s) skipped; ${body.firstInvalid}`);
      const description = `${CAPI_ALLOWLIST_PREFIX}${link.description ? `: ${link.description}` : ''}`;
      await allowlists.replace(link.name, { allowlistId: link.id, description, items: body.items });
      rep.items = body.items.length;
      const active = body.items.filter((it) => it.expiration === null || it.expiration > now).map((it) => it.value);
      rep.expired = await expireCoveredDecisions(store, active, now);
      rep.outcome = 'replaced';
    } catch (e) {
      rep.error = errorMessage(e);
      log(`capi: allowlist ${link.name}: not updated (${rep.error})`);
    }
  }
  return reports;
}
