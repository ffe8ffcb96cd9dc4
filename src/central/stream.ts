// GET /v{2,3}/decisions/stream bodies (capi.md §5): v2 answers the flat LAPI stream shape
// (`{"new":[Decision…],"deleted":[Decision…]}`, origin CAPI, curated entries included), v3 the grouped shape
// (`new` by scenario and scope, `deleted` by scope, `links.blocklists` for the curated lists). A startup pull
// (or a login's first pull) gets the whole tailored list and the removals of the last day; a delta gets the
// entries changed and the removals since that login's previous pull. `community_pull=false` empties new/deleted,
// `additional_pull=false` drops the curated part. Startup bodies are encoded once per tick per scenario set.

import { formatGoSeconds } from '../api/wire-time.js';
import type { CommunityList, Removal, SiteEntry, SiteList } from './community-list.js';
import { STARTUP_DELETED_MS } from './community-list.js';
import type { BlocklistLink } from './links.js';

export interface PullRequest {
  version: 2 | 3;
  startup: boolean;
  community: boolean;
  additional: boolean;
  /** the login's previous pull (ignored at startup) */
  lastPull: number;
}

const remaining = (e: SiteEntry, now: number): string =>
  formatGoSeconds(Math.max(1, Math.round((e.until - now) / 1000)));

function v2Decision(e: { scope: string; value: string; scenario: string }, duration: string): string {
  return (
    `{"duration":"${duration}","origin":"CAPI","scenario":${JSON.stringify(e.scenario)},"scope":"${e.scope}",` +
    `"type":"ban","value":"${e.value}"}`
  );
}

function encodeV2(site: SiteList, news: readonly SiteEntry[], deleted: readonly Removal[]): string {
  const n = news.map((e) => v2Decision(e, remaining(e, site.now)));
  const d = deleted.map((r) => v2Decision({ ...r, scenario: r.scenario || 'community-blocklist' }, '0s'));
  return `{"new":[${n.join(',')}],"deleted":[${d.join(',')}]}`;
}

function encodeV3(
  site: SiteList,
  news: readonly SiteEntry[],
  deleted: readonly Removal[],
  links: BlocklistLink[] | null,
): string {
  const groups = new Map<string, string[]>();
  for (const e of news) {
    const k = JSON.stringify(e.scenario) + '\u0000' + e.scope.toLowerCase();
    const item = `{"value":"${e.value}","duration":"${remaining(e, site.now)}"}`;
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  const n = [...groups].map(([k, items]) => {
    const [scenario, scope] = k.split('\u0000');
    return `{"scenario":${scenario},"scope":"${scope}","decisions":[${items.join(',')}]}`;
  });
  const del = new Map<string, string[]>();
  for (const r of deleted) {
    const s = r.scope.toLowerCase();
    const g = del.get(s);
    if (g) g.push(JSON.stringify(r.value));
    else del.set(s, [JSON.stringify(r.value)]);
  }
  const d = [...del].map(([scope, values]) => `{"scope":"${scope}","decisions":[${values.join(',')}]}`);
  const l = links === null ? '' : `,"links":{"blocklists":${JSON.stringify(links)}}`;
  return `{"new":[${n.join(',')}],"deleted":[${d.join(',')}]${l}}`;
}

/** The body of one pull. `links` is called only for v3 pulls that want the curated lists. */
export function pullBody(list: CommunityList, site: SiteList, p: PullRequest, links: () => BlocklistLink[]): string {
  const cacheKey = `${p.version}${p.community ? 'c' : ''}${p.additional ? 'a' : ''}`;
  if (p.startup) {
    const hit = site.encoded.get(cacheKey);
    if (hit !== undefined) return hit;
  }
  const since = p.startup ? site.now - STARTUP_DELETED_MS : p.lastPull;
  const keep = (e: SiteEntry): boolean => {
    if (e.curated ? !(p.additional && p.version === 2) : !p.community) return false;
    return p.startup || e.changedAt > p.lastPull;
  };
  const news = site.entries.filter(keep);
  const deleted = p.community || p.additional ? list.removalsSince(since, site) : [];
  const body =
    p.version === 2 ? encodeV2(site, news, deleted) : encodeV3(site, news, deleted, p.additional ? links() : null);
  if (p.startup) site.encoded.set(cacheKey, body);
  return body;
}
