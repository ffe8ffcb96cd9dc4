// Where hub files come from: a base URL (CrowdSec's CDN by default, any http(s) mirror, fetched with undici,
// bounded in size and time) or a local folder (`/usr/share/crowdsec/hub`, `file://...`: installs work offline).
// Owns: reading `.index.json`, an item file and a `data:` file from the source, and the size/time limits.
// Local hubs also answer data files from a `data/` folder beside or inside the hub (Debian ships
// /usr/share/crowdsec/data next to /usr/share/crowdsec/hub), so nothing needs the network there.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../core/errors.js';
import { HubError, isSafeRelPath } from './index-file.js';

/** CrowdSec's hub (the URL cscli 1.4 downloads from, branch master) */
export const DEFAULT_HUB_URL = 'https://hub-cdn.crowdsec.net/master';
export const MAX_ITEM_BYTES = 8 * 1024 * 1024;
export const MAX_DATA_BYTES = 256 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

export interface HubSource {
  /** the URL or folder, for messages */
  readonly where: string;
  /** a local folder: a data file it cannot give is a warning (offline install), not a failure */
  readonly local: boolean;
  /** a file of the hub by its relative path (`.index.json`, an item's path) */
  read(rel: string, maxBytes: number): Promise<Buffer>;
  /** a `data:` file: its source_url, or (local hubs) the dest_file in the hub's data folder */
  readData(sourceUrl: string, destFile: string): Promise<Buffer>;
}

/** `--url` / hub_url -> a source: http(s) URL, file:// URL or folder path. */
export function openSource(spec: string): HubSource {
  if (/^https?:\/\//i.test(spec)) return new UrlSource(spec.replace(/\/+$/, ''));
  const dir = spec.startsWith('file://') ? fileURLToPath(spec) : path.resolve(spec);
  return new FolderSource(dir);
}

async function fetchBytes(url: string, maxBytes: number): Promise<Buffer> {
  const { request } = await import('undici');
  let res;
  try {
    res = await request(url, { method: 'GET', headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  } catch (e) {
    throw new HubError('HUB_FETCH_FAILED', `cannot fetch ${url}: ${errorMessage(e)}`);
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    throw new HubError('HUB_FETCH_FAILED', `cannot fetch ${url}: HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res.body) {
      n += (c as Buffer).length;
      if (n > maxBytes) {
        res.body.destroy();
        throw new HubError('HUB_FETCH_FAILED', `cannot fetch ${url}: larger than ${maxBytes} bytes`);
      }
      chunks.push(c as Buffer);
    }
  } catch (e) {
    if (e instanceof HubError) throw e;
    throw new HubError('HUB_FETCH_FAILED', `cannot fetch ${url}: interrupted: ${errorMessage(e)}`);
  }
  return Buffer.concat(chunks);
}

/** Checks the relative path once for both kinds of source. */
abstract class BaseSource implements HubSource {
  abstract readonly local: boolean;
  constructor(readonly where: string) {}

  read(rel: string, maxBytes: number): Promise<Buffer> {
    if (!isSafeRelPath(rel)) return Promise.reject(new HubError('HUB_BAD_PATH', `refusing hub path '${rel}'`));
    return this.readRel(rel, maxBytes);
  }

  protected abstract readRel(rel: string, maxBytes: number): Promise<Buffer>;
  abstract readData(sourceUrl: string, destFile: string): Promise<Buffer>;
}

class UrlSource extends BaseSource {
  readonly local = false;

  protected readRel(rel: string, maxBytes: number): Promise<Buffer> {
    return fetchBytes(`${this.where}/${rel.split('/').map(encodeURIComponent).join('/')}`, maxBytes);
  }

  readData(sourceUrl: string): Promise<Buffer> {
    if (!/^https?:\/\//i.test(sourceUrl)) {
      return Promise.reject(new HubError('HUB_FETCH_FAILED', `data source_url '${sourceUrl}' is not an http(s) URL`));
    }
    return fetchBytes(sourceUrl, MAX_DATA_BYTES);
  }
}

function readBounded(file: string, maxBytes: number): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new HubError(
      'HUB_FETCH_FAILED',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`,
    );
  }
  if (!st.isFile()) throw new HubError('HUB_FETCH_FAILED', `cannot read ${file}: not a file`);
  if (st.size > maxBytes) throw new HubError('HUB_FETCH_FAILED', `cannot read ${file}: larger than ${maxBytes} bytes`);
  return fs.readFileSync(file);
}

class FolderSource extends BaseSource {
  readonly local = true;

  protected readRel(rel: string, maxBytes: number): Promise<Buffer> {
    return Promise.resolve().then(() => readBounded(path.join(this.where, rel), maxBytes));
  }

  async readData(sourceUrl: string, destFile: string): Promise<Buffer> {
    if (isSafeRelPath(destFile)) {
      for (const dir of [path.join(this.where, 'data'), path.join(path.dirname(this.where), 'data')]) {
        const f = path.join(dir, destFile);
        if (fs.existsSync(f)) return readBounded(f, MAX_DATA_BYTES);
      }
    }
    if (/^https?:\/\//i.test(sourceUrl)) return fetchBytes(sourceUrl, MAX_DATA_BYTES);
    throw new HubError(
      'HUB_FETCH_FAILED',
      `data file ${destFile}: not in ${this.where}'s data folder and no http(s) source_url`,
    );
  }
}
