// The community blocklist pull loop (capi.md §5; issue 13): GET /v3/decisions/stream with `startup=true` until a
// pull succeeds after the start, deltas after, every `online_client.pull.interval` (2 h by default, down to
// 1 min); `community_pull=false` / `additional_pull=false` when the config turns a part off. A pull is skipped
// when the last successful one (kept in the store's job state, so across restarts) is more recent than
// min(1 h 30, 3/4 of the interval), unless forced. An answer is applied as §5.3 says: deletions first (active
// `CAPI` decisions — and those of the central's lists — with that value expire; scope matched unless Ip), the
// `links.allowlists` (./allowlist-links.ts: each replaces its local allowlist), then the new entries (origin
// `CAPI`, type ban, scenario as sent, until = now + duration; a re-sent entry keeps or replaces its row, never
// adds one; a startup answer replaces the community list as a whole), then the `links.blocklists` through the
// list engine (./lists.ts). Local allowlists win (./origin-sync.ts).
// Owns: the schedule, the query, the skip rule and that order.

import { errorMessage } from '../core/errors.js';
import type { PicketStore } from '../store/lmdb.js';
import { syncAllowlistLinks, type AllowlistLinkReport } from './allowlist-links.js';
import type { CapiClient } from './client.js';
import type { OnlineClientConfig } from './config.js';
import type { ListSync } from './lists.js';
import {
  applyEntries,
  CAPI_ORIGIN,
  COMMUNITY_SOURCE_SCOPE,
  expireValues,
  listOrigin,
  type SyncTarget,
} from './origin-sync.js';
import { parseStreamAnswer, type StreamAnswer } from './stream-answer.js';

const LAST_PULL_KEY = 'capi:last_pull';
const SKIP_MAX_MS = 90 * 60_000;
/** a re-sent entry whose end moved by at most this keeps its row */
const SAME_END_MS = 2_000;

export interface PullReport {
  outcome: 'ok' | 'skipped' | 'failed';
  startup: boolean;
  added: number;
  refreshed: number;
  kept: number;
  deleted: number;
  allowlisted: number;
  lists: string[];
  /** the central's allowlist links applied (step 2) */
  allowlists: AllowlistLinkReport[];
  error: string;
}

export interface PullerOptions {
  clock?: () => number;
  log?: (line: string) => void;
  /** delay of the first pull after start (default 0) */
  firstMs?: number;
}

export class CommunityPuller {
  private startup = true;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<unknown> | null = null;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly client: Pick<CapiClient, 'pullStream'>,
    private readonly target: SyncTarget,
    private readonly lists: ListSync,
    private readonly env: PicketStore,
    private readonly config: OnlineClientConfig,
    private readonly o: PullerOptions = {},
  ) {
    this.clock = o.clock ?? Date.now;
    this.log = o.log ?? (() => undefined);
  }

  get intervalMs(): number {
    return this.config.pull.intervalMs;
  }

  /** the last successful pull (epoch ms; 0 = never) */
  lastPull(): number {
    const v = Number(this.env.db('jobState').get(LAST_PULL_KEY) ?? 0);
    return Number.isFinite(v) ? v : 0;
  }

  /** the query string of the next pull */
  query(): string {
    const q: string[] = [];
    if (this.startup) q.push('startup=true');
    if (!this.config.pull.community) q.push('community_pull=false');
    if (!this.config.pull.blocklists) q.push('additional_pull=false');
    return q.length ? `?${q.join('&')}` : '';
  }

  /** one pull now (skipped when the last one is recent, unless forced) */
  async pullOnce(o: { force?: boolean } = {}): Promise<PullReport> {
    const report: PullReport = {
      outcome: 'ok',
      startup: this.startup,
      added: 0,
      refreshed: 0,
      kept: 0,
      deleted: 0,
      allowlisted: 0,
      lists: [],
      allowlists: [],
      error: '',
    };
    const now = this.clock();
    const skipMs = Math.min(SKIP_MAX_MS, Math.floor(this.intervalMs * 0.75));
    if (!o.force && now - this.lastPull() < skipMs) {
      this.target.metrics.pulls.inc({ outcome: 'skipped' });
      return { ...report, outcome: 'skipped' };
    }
    const r = await this.client.pullStream(this.query());
    let answer: StreamAnswer;
    try {
      if (r.status !== 200)
        throw new Error(`GET decisions/stream: ${r.status || 'unreachable'} ${r.text.slice(0, 200)}`);
      answer = parseStreamAnswer(r.text);
    } catch (e) {
      this.target.metrics.pulls.inc({ outcome: 'failed' });
      return { ...report, outcome: 'failed', error: errorMessage(e) };
    }
    if (answer.skipped) this.log(`capi: ${answer.skipped} stream item(s) skipped; first: ${answer.firstSkipped}`);
    await this.apply(answer, report);
    await this.env.db('jobState').put(LAST_PULL_KEY, String(this.clock()));
    this.startup = false;
    this.target.metrics.pulls.inc({ outcome: 'ok' });
    return report;
  }

  private async apply(a: StreamAnswer, report: PullReport): Promise<void> {
    const now = this.clock();
    const centralLists = this.lists.capiListNames().map(listOrigin);
    for (const g of a.deleted)
      report.deleted += await expireValues(this.target.store, [CAPI_ORIGIN, ...centralLists], g.scope, g.values, now);
    if (a.allowlists.length > 0 && this.target.allowlists !== null)
      report.allowlists = await syncAllowlistLinks(
        a.allowlists,
        this.target.allowlists,
        this.target.store,
        now,
        this.log,
      );
    const wanted = a.news.map((e) => ({
      scope: e.scope,
      value: e.value,
      type: 'ban',
      scenario: e.scenario,
      until: now + e.durationMs,
    }));
    const res = await applyEntries(this.target, wanted, {
      origin: CAPI_ORIGIN,
      now,
      sourceScope: COMMUNITY_SOURCE_SCOPE,
      replaceWhole: report.startup,
      keep: (cur, w) => Math.abs(cur.until - w.until) <= SAME_END_MS && cur.scenario === w.scenario,
    });
    report.added = res.added;
    report.refreshed = res.refreshed;
    report.kept = res.kept;
    report.deleted += res.expired;
    report.allowlisted = res.allowlisted;
    // a central that names no list (or additional_pull=false): the lists it named before go
    report.lists = await this.lists.syncLinks(this.config.pull.blocklists ? (a.links ?? []) : [], this.intervalMs);
  }

  /** first pull after `firstMs`, then every interval */
  start(): void {
    this.schedule(this.o.firstMs ?? 0);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.busy = this.pullOnce()
        .then(
          (r) => {
            if (r.outcome === 'failed') this.log(`capi: community pull failed: ${r.error}`);
            else if (r.outcome === 'ok')
              this.log(
                `capi: community pull${r.startup ? ' (startup)' : ''}: +${r.added} new, ${r.refreshed} refreshed, ` +
                  `-${r.deleted} deleted, ${r.allowlisted} allowlisted; lists: ${r.lists.join(', ') || 'none'}`,
              );
          },
          (e: unknown) => this.log(`capi: community pull failed: ${errorMessage(e)}`),
        )
        .finally(() => {
          this.busy = null;
          if (this.timer !== null) this.schedule(this.intervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
  }
}
