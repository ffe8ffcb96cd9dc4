// Downloading one blocklist (issue 13; capi.md §5.3 step 4) with undici: a plain GET (no credentials: CAPI links
// are pre-signed URLs), conditional on the last ETag (`If-None-Match`) and Last-Modified (`If-Modified-Since`)
// unless forced, at most 3 redirects, bounded in time (connect/headers/body timeouts) and in size (the body is
// read in chunks and the download aborted past the bound). Owns: the request and the mapping of answers to
// outcomes (`changed` with the text, `unchanged` on 304, `failed` with the reason).

import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { errorMessage } from '../core/errors.js';

/** default bound of a list body (a 1,000,000-line list of IPv4 addresses is about 15 MB) */
export const LIST_MAX_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

export type FetchOutcome =
  | { kind: 'changed'; text: string; etag: string; lastModified: string }
  | { kind: 'unchanged' }
  | { kind: 'failed'; reason: string };

let shared: Dispatcher | null = null;
function dispatcher(): Dispatcher {
  shared ??= new Agent({ headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connectTimeout: 10_000 }).compose(
    interceptors.redirect({ maxRedirections: 3 }),
  );
  return shared;
}

export interface FetchOptions {
  etag?: string;
  lastModified?: string;
  /** no conditional headers */
  force?: boolean;
  maxBytes?: number;
}

/** GET url; never throws (every failure is an outcome naming the URL's problem) */
export async function fetchList(url: string, o: FetchOptions = {}): Promise<FetchOutcome> {
  const max = o.maxBytes ?? LIST_MAX_BYTES;
  const headers: Record<string, string> = { 'user-agent': 'picket/lists', accept: 'text/plain, */*' };
  if (!o.force && o.etag) headers['if-none-match'] = o.etag;
  if (!o.force && o.lastModified) headers['if-modified-since'] = o.lastModified;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'GET',
      headers,
      dispatcher: dispatcher(),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (e) {
    return { kind: 'failed', reason: errorMessage(e) };
  }
  if (res.statusCode === 304) {
    await res.body.dump();
    return { kind: 'unchanged' };
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    return { kind: 'failed', reason: `HTTP ${res.statusCode}` };
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > max) {
    res.body.destroy();
    return { kind: 'failed', reason: `body of ${declared} bytes exceeds the bound of ${max}` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res.body) {
      const b = c as Buffer;
      size += b.length;
      if (size > max) {
        res.body.destroy();
        return { kind: 'failed', reason: `body exceeds the bound of ${max} bytes` };
      }
      chunks.push(b);
    }
  } catch (e) {
    return { kind: 'failed', reason: errorMessage(e) };
  }
  const h = (k: string): string => {
    const v = res.headers[k];
    return typeof v === 'string' ? v : '';
  };
  return {
    kind: 'changed',
    text: Buffer.concat(chunks).toString('utf8'),
    etag: h('etag'),
    lastModified: h('last-modified'),
  };
}
