// Curated lists as v3 `links.blocklists` (capi.md §5.2, §5.3 step 4): the operator's curated entries grouped by
// scenario and scope into plain files (one value per line), precomputed when the curated set changes, served by
// this server at pre-signed URLs (`/v3/blocklists/<name>?expires=…&sig=…`, HMAC of name and expiry, no JWT as
// the LAPI sends none) with an ETag and Last-Modified; `If-None-Match` / `If-Modified-Since` answer 304.
// A link's duration is the longest remaining entry, at most 2h10m: a LAPI re-downloads every pull (2 h), so an
// entry removed from a file stops being enforced within about one pull interval.

import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatGoSeconds } from '../api/wire-time.js';
import type { EntryScope } from './consensus/types.js';
import type { CuratedRecord } from './records.js';

const LINK_MAX_MS = 130 * 60_000;
const URL_LIFETIME_MS = 24 * 3_600_000;

export interface BlocklistLink {
  name: string;
  url: string;
  remediation: 'ban';
  scope: string;
  duration: string;
}

interface ListFile {
  name: string;
  scope: EntryScope;
  body: string;
  etag: string;
  modified: number;
  until: number;
}

export class CuratedLinks {
  private files = new Map<string, ListFile>();
  private version = '';

  constructor(private readonly key: Buffer) {}

  /** rebuild the files when the curated set changed */
  update(curated: readonly CuratedRecord[], now: number): void {
    const live = curated
      .filter((c) => c.until > now)
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const version = live.map((c) => `${c.scenario}|${c.scope}|${c.value}|${c.until}`).join('\n');
    if (version === this.version) return;
    this.version = version;
    const groups = new Map<string, CuratedRecord[]>();
    for (const c of live) {
      const name = c.scope === 'Ip' ? c.scenario : `${c.scenario}-ranges`;
      const g = groups.get(name);
      if (g) g.push(c);
      else groups.set(name, [c]);
    }
    const files = new Map<string, ListFile>();
    for (const [name, list] of groups) {
      const body = list.map((c) => c.value).join('\n') + '\n';
      const prev = this.files.get(name);
      const etag = '"' + crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27) + '"';
      const modified = prev && prev.etag === etag ? prev.modified : Math.floor(now / 1000) * 1000;
      files.set(name, {
        name,
        scope: list[0]!.scope,
        body,
        etag,
        modified,
        until: Math.max(...list.map((c) => c.until)),
      });
    }
    this.files = files;
  }

  private sign(name: string, expires: number): string {
    return crypto
      .createHmac('sha256', this.key)
      .update(`blocklist:${name}:${expires}`)
      .digest('base64url')
      .slice(0, 32);
  }

  /** the `links.blocklists` of a v3 pull, URLs under `base` (no trailing slash) */
  links(base: string, now: number): BlocklistLink[] {
    const expires = Math.floor((now + URL_LIFETIME_MS) / 3_600_000) * 3600; // stable for an hour
    return [...this.files.values()].map((f) => ({
      name: f.name,
      url: `${base}/v3/blocklists/${encodeURIComponent(f.name)}?expires=${expires}&sig=${this.sign(f.name, expires)}`,
      remediation: 'ban',
      scope: f.scope.toLowerCase(),
      duration: formatGoSeconds(Math.max(60, Math.round(Math.min(LINK_MAX_MS, f.until - now) / 1000))),
    }));
  }

  /** GET /v3/blocklists/<name>?expires=&sig= */
  serve(req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams, now: number): void {
    const expires = Number(query.get('expires'));
    const sig = query.get('sig') ?? '';
    const good = this.sign(name, expires);
    if (
      !Number.isInteger(expires) ||
      expires * 1000 < now ||
      sig.length !== good.length ||
      !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(good))
    ) {
      const body = '{"message":"invalid or expired link signature"}';
      res.writeHead(403, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
      return;
    }
    const f = this.files.get(name);
    if (!f) {
      res.writeHead(404, { 'Content-Length': 0 }).end();
      return;
    }
    const headers = { ETag: f.etag, 'Last-Modified': new Date(f.modified).toUTCString(), 'Cache-Control': 'no-cache' };
    const inm = req.headers['if-none-match'];
    const ims = Date.parse(req.headers['if-modified-since'] ?? '');
    if ((inm !== undefined && inm === f.etag) || (inm === undefined && !Number.isNaN(ims) && ims >= f.modified)) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(f.body),
    });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  }
}
