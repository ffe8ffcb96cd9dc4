// Blocklist subscriptions and the sync state of every list the LAPI pulls (issue 13): lists a user subscribed to
// (`picket blocklists add NAME --url URL`) and the lists the central API names in `links.blocklists`. Owns: the
// `blocklists` sub-database (key: the list's name; value: what to download, how its entries become decisions,
// and the state of the last sync: time, outcome, entries, ETag / Last-Modified), name and field checks.
// The CLI writes subscriptions while the LAPI runs: the LAPI re-reads the table on each of its sync ticks.

import type { Database } from 'lmdb';
import { PicketError } from '../core/errors.js';
import type { PicketStore } from './lmdb.js';

export interface BlocklistState {
  /** last attempt (epoch ms; 0 = never) */
  lastAttempt: number;
  /** last download that answered 200 or 304 (epoch ms; 0 = never) */
  lastSync: number;
  /** outcome of the last attempt: `200`, `304`, or an error text */
  outcome: string;
  /** entries of the list in force (decisions created or kept) */
  entries: number;
  /** lines that were not an IP, a range or a known record (the first is named in `outcome`) */
  invalid: number;
  /** entries dropped because a local allowlist holds them */
  allowlisted: number;
  etag: string;
  lastModified: string;
}

export interface BlocklistRecord {
  name: string;
  url: string;
  /** `user`: `picket blocklists add`; `capi`: a `links.blocklists` entry of the central API */
  source: 'user' | 'capi';
  /** decision type (ban, captcha, …) */
  type: string;
  /** scope of entries without a `/`: Ip (a CIDR line is always a Range) */
  scope: string;
  durationMs: number;
  intervalMs: number;
  createdAt: number;
  state: BlocklistState;
}

/** A blocklist operation refused (unknown list, duplicate name, bad field); code STORE_BLOCKLIST. */
export class BlocklistError extends PicketError {
  constructor(message: string) {
    super('STORE_BLOCKLIST', message);
  }
}

const NAME_RE = /^[\w.@-]{1,128}$/;

export function checkBlocklistName(name: string): void {
  if (!NAME_RE.test(name))
    throw new BlocklistError(`blocklist name '${name}': 1 to 128 letters, digits, '.', '_', '@' or '-' expected`);
}

export function emptyState(): BlocklistState {
  return {
    lastAttempt: 0,
    lastSync: 0,
    outcome: '',
    entries: 0,
    invalid: 0,
    allowlisted: 0,
    etag: '',
    lastModified: '',
  };
}

function isRecord(v: unknown): v is BlocklistRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as BlocklistRecord;
  return typeof r.name === 'string' && typeof r.url === 'string' && typeof r.state === 'object' && r.state !== null;
}

export class BlocklistTable {
  private readonly db: Database<BlocklistRecord, string>;

  constructor(private readonly env: PicketStore) {
    this.db = env.db('blocklists');
  }

  get(name: string): BlocklistRecord | undefined {
    const v = this.db.get(name);
    return isRecord(v) ? v : undefined;
  }

  /** every list, by name (damaged records skipped) */
  list(): BlocklistRecord[] {
    const out: BlocklistRecord[] = [];
    for (const { value } of this.db.getRange({})) if (isRecord(value)) out.push(value);
    return out;
  }

  /** a new subscription; refuses an existing name */
  async add(r: BlocklistRecord): Promise<void> {
    checkBlocklistName(r.name);
    const ok = await this.db.ifNoExists(r.name, () => {
      this.db.put(r.name, r);
    });
    if (!ok) throw new BlocklistError(`blocklist '${r.name}' already exists`);
  }

  /** creates or replaces a record (the CAPI links and the sync state) */
  async put(r: BlocklistRecord): Promise<void> {
    await this.db.put(r.name, r);
  }

  /** stores the sync state of a list that still exists (a list deleted meanwhile stays deleted) */
  async putState(name: string, state: BlocklistState): Promise<void> {
    await this.db.transaction(() => {
      const cur = this.get(name);
      if (cur) this.db.put(name, { ...cur, state });
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.db.remove(name);
  }
}
