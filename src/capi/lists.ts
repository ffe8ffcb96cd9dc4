// The one list sync engine (issue 13) behind both the central API's `links.blocklists` (capi.md §5.3 step 4) and
// the lists users subscribe to (`picket blocklists add`, crowdsec#683). A list is downloaded (./list-fetch.ts:
// conditional on its ETag / Last-Modified unless its decisions would lapse before the next sync, then the
// download is forced), parsed (./list-parse.ts) and replaced as a whole (./origin-sync.ts): its decisions have
// origin `lists:NAME`, scenario NAME, the list's type and duration; entries that left the list expire, entries a
// local allowlist holds never become decisions. Owns: the per-list sync, the sync state written back to the
// `blocklists` table, the CAPI links' records (added, updated, removed with their decisions when the central
// stops naming them) and the timer that syncs due user lists (the CLI edits the table while the LAPI runs).

import { normaliseScope } from '../api/scope.js';
import { parseWireDuration } from '../api/wire-time.js';
import { errorMessage } from '../core/errors.js';
import { BlocklistTable, emptyState, type BlocklistRecord, type BlocklistState } from '../store/blocklists.js';
import { fetchList } from './list-fetch.js';
import { parseList, type ParsedList } from './list-parse.js';
import { applyEntries, listOrigin, type SyncTarget, type WantedEntry } from './origin-sync.js';

/** decisions are refreshed (and the download forced) when they would lapse within interval + this margin */
const LAPSE_MARGIN_MS = 15 * 60_000;
const DEFAULT_TICK_MS = 10_000;

/** a `links.blocklists` item of a CAPI v3 answer (capi.md §5.2) */
export interface BlocklistLink {
  name: string;
  url: string;
  remediation: string;
  scope: string;
  duration: string;
}

export interface ListSyncOptions {
  clock?: () => number;
  log?: (line: string) => void;
  /** how often due user lists are looked for (default 10 s) */
  tickMs?: number;
  /** bound of one download (bytes) */
  maxBytes?: number;
}

export class ListSync {
  readonly table: BlocklistTable;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** one sync at a time (the timer, the CAPI puller and tests share the engine) */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly target: SyncTarget,
    table: BlocklistTable,
    private readonly o: ListSyncOptions = {},
  ) {
    this.table = table;
    this.clock = o.clock ?? Date.now;
    this.log = o.log ?? (() => undefined);
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** downloads and applies one list now; returns the state stored */
  sync(name: string, o: { force?: boolean } = {}): Promise<BlocklistState | null> {
    return this.serial(async () => {
      const rec = this.table.get(name);
      return rec ? this.syncRecord(rec, o.force ?? false) : null;
    });
  }

  private async syncRecord(rec: BlocklistRecord, forced: boolean): Promise<BlocklistState> {
    const now = this.clock();
    const origin = listOrigin(rec.name);
    const lapse = now + rec.intervalMs + LAPSE_MARGIN_MS;
    const force = forced || rec.state.lastSync === 0 || earliestUntil(this.target, origin, now) < lapse;
    const state: BlocklistState = { ...emptyState(), ...rec.state, lastAttempt: now };
    const got = await fetchList(rec.url, {
      etag: rec.state.etag,
      lastModified: rec.state.lastModified,
      force,
      maxBytes: this.o.maxBytes,
    });
    const metric = this.target.metrics.listSyncs;
    if (got.kind === 'failed') {
      metric.inc({ list: rec.name, outcome: 'failed' });
      state.outcome = got.reason;
      this.log(`blocklist ${rec.name}: ${rec.url.split('?')[0]}: ${got.reason}; its decisions stay until they expire`);
    } else if (got.kind === 'unchanged') {
      metric.inc({ list: rec.name, outcome: 'unchanged' });
      Object.assign(state, { outcome: '304', lastSync: now });
    } else {
      let parsed: ParsedList;
      try {
        parsed = parseList(got.text);
      } catch (e) {
        metric.inc({ list: rec.name, outcome: 'failed' });
        state.outcome = errorMessage(e);
        this.log(`blocklist ${rec.name}: ${state.outcome}`);
        await this.table.putState(rec.name, state);
        return state;
      }
      const res = await this.apply(rec, parsed, now, lapse);
      metric.inc({ list: rec.name, outcome: 'changed' });
      Object.assign(state, {
        lastSync: now,
        outcome: parsed.invalid ? `200 (${parsed.invalid} invalid; first: ${parsed.firstInvalid})` : '200',
        entries: res.added + res.refreshed + res.kept,
        invalid: parsed.invalid,
        allowlisted: res.allowlisted,
        etag: got.etag,
        lastModified: got.lastModified,
      });
    }
    await this.table.putState(rec.name, state);
    // deleted while it downloaded: what it just stored goes too
    if (!this.table.get(rec.name)) await removeListDecisions(this.target, rec.name, this.clock());
    return state;
  }

  private apply(rec: BlocklistRecord, parsed: ParsedList, now: number, lapse: number) {
    const single = rec.scope === 'Range' ? 'Range' : rec.scope;
    const wanted = (function* (): Generator<WantedEntry> {
      for (const e of parsed.entries)
        yield {
          scope: e.scope === 'Ip' ? single : e.scope,
          value: e.value,
          type: e.type ?? rec.type,
          scenario: rec.name,
          until: now + (e.durationMs ?? rec.durationMs),
        };
    })();
    return applyEntries(this.target, wanted, {
      origin: listOrigin(rec.name),
      now,
      sourceScope: listOrigin(rec.name),
      replaceWhole: true,
      keep: (cur, w) => cur.until >= lapse && cur.scenario === w.scenario && cur.until <= w.until,
    });
  }

  /** the user lists whose interval elapsed since their last attempt, one after the other */
  syncDue(): Promise<void> {
    return this.serial(async () => {
      const now = this.clock();
      for (const rec of this.table.list()) {
        if (rec.source !== 'user' || rec.state.lastAttempt + rec.intervalMs > now) continue;
        try {
          await this.syncRecord(rec, false);
        } catch (e) {
          this.log(`blocklist ${rec.name}: sync failed: ${errorMessage(e)}`);
        }
      }
    });
  }

  /**
   * The `links.blocklists` of a CAPI answer: each link's record is created or updated (pre-signed URLs change)
   * and synced; CAPI lists the central no longer names are removed with their decisions. A user list of the
   * same name wins (the link is skipped and said). Returns the names synced.
   */
  syncLinks(links: readonly BlocklistLink[], intervalMs: number): Promise<string[]> {
    return this.serial(async () => {
      const names: string[] = [];
      for (const l of links) {
        const rec = await this.linkRecord(l, intervalMs);
        if (rec === null) continue;
        names.push(rec.name);
        try {
          await this.syncRecord(rec, false);
        } catch (e) {
          this.log(`blocklist ${rec.name}: sync failed: ${errorMessage(e)}`);
        }
      }
      for (const rec of this.table.list()) {
        if (rec.source !== 'capi' || names.includes(rec.name)) continue;
        await this.table.delete(rec.name);
        const n = await removeListDecisions(this.target, rec.name, this.clock());
        this.log(`blocklist ${rec.name}: no longer named by the central API; ${n} decision(s) removed`);
      }
      return names;
    });
  }

  private async linkRecord(l: BlocklistLink, intervalMs: number): Promise<BlocklistRecord | null> {
    const old = this.table.get(l.name);
    if (old && old.source !== 'capi') {
      this.log(`blocklist ${l.name}: the central API names a list of this name; the user list wins`);
      return null;
    }
    const durationMs = parseWireDuration(l.duration);
    if (durationMs === null || durationMs <= 0) {
      this.log(`blocklist ${l.name}: link duration '${l.duration}' is not a positive duration; skipped`);
      return null;
    }
    const rec: BlocklistRecord = {
      name: l.name,
      url: l.url,
      source: 'capi',
      type: l.remediation || 'ban',
      scope: normaliseScope(l.scope || 'ip'),
      durationMs,
      intervalMs,
      createdAt: old?.createdAt ?? this.clock(),
      state: old?.state ?? emptyState(),
    };
    await this.table.put(rec);
    return rec;
  }

  /** names of the lists that came from the central API */
  capiListNames(): string[] {
    return this.table
      .list()
      .filter((r) => r.source === 'capi')
      .map((r) => r.name);
  }

  /** looks for due user lists every tick (first at once) */
  start(): void {
    const tick = (): void => {
      this.running = this.syncDue()
        .catch((e: unknown) => this.log(`blocklists: ${errorMessage(e)}`))
        .finally(() => {
          this.running = null;
          if (this.timer !== null) this.timer = setTimeout(tick, this.o.tickMs ?? DEFAULT_TICK_MS).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.chain;
  }
}

/** the earliest end of the origin's active decisions (Infinity when it has none) */
function earliestUntil(t: SyncTarget, origin: string, now: number): number {
  let min = Infinity;
  for (const d of t.store.queryDecisions({ origins: [origin], simulated: true }, now))
    if (d.origin === origin && d.until > now && d.until < min) min = d.until;
  return min;
}

/** expires every active decision of the list (its deletion); returns how many */
export async function removeListDecisions(t: Pick<SyncTarget, 'store'>, name: string, now: number): Promise<number> {
  const origin = listOrigin(name);
  const ids = t.store
    .queryDecisions({ origins: [origin], simulated: true }, now)
    .filter((d) => d.origin === origin && d.until > now)
    .map((d) => d.id);
  return ids.length ? t.store.expireDecisionIds(ids, now) : 0;
}
