// The signal push loop (capi.md §4.1, issue 13): alerts offered by the LAPI are turned into signals and queued in
// the durable outbox; every 10 s (first after a few seconds) batches of at most 50 go to POST /v3/signals. Network
// errors, 5xx and 429 keep the batch and back off (doubling, up to 5 min); 401/403 log in again; a 4xx refusal
// drops the batch (counted as failed: the central will never accept those bytes). Owns: the timer, back-off and
// the counters.

import { errorMessage } from '../core/errors.js';
import type { SignalOutbox } from '../store/outbox.js';
import type { AlertRecord, DecisionRecord } from '../store/records.js';
import type { CapiClient } from './client.js';
import type { OnlineClientConfig } from './config.js';
import { toSignal } from './signal.js';

export const BATCH_MAX = 50;
const MAX_BACKOFF_MS = 300_000;

export interface PusherCounters {
  queued: number;
  sent: number;
  failedBatches: number;
  refused: number;
}

export class SignalPusher {
  readonly counters: PusherCounters = { queued: 0, sent: 0, failedBatches: 0, refused: 0 };
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = 0;
  private busy: Promise<void> | null = null;

  constructor(
    private readonly outbox: SignalOutbox,
    private readonly client: CapiClient,
    private readonly config: OnlineClientConfig,
    private readonly o: {
      intervalMs?: number;
      firstMs?: number;
      maxBackoffMs?: number;
      log?: (l: string) => void;
    } = {},
  ) {}

  /** queues the alert's signal when it may be shared */
  async offer(a: AlertRecord, decisions: DecisionRecord[]): Promise<boolean> {
    const s = toSignal(a, decisions, this.config);
    if (!s) return false;
    const ok = await this.outbox.enqueue(a.uuid, JSON.stringify(s));
    if (ok) this.counters.queued++;
    return ok;
  }

  start(): void {
    const first = this.o.firstMs ?? 3_000 + Math.floor(Math.random() * 14_000);
    this.schedule(first);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.busy = this.flush().then((more) => {
        if (this.timer === null) return;
        this.schedule(this.backoffMs || (more ? 0 : (this.o.intervalMs ?? 10_000)));
      });
    }, ms);
    this.timer.unref();
  }

  /** sends queued batches until the outbox is empty or a batch fails; true when more remain to send now */
  async flush(): Promise<boolean> {
    let relogins = 0;
    for (;;) {
      const items = this.outbox.peek(BATCH_MAX);
      if (!items.length) {
        this.backoffMs = 0;
        return false;
      }
      const body = `[${items.map((i) => i.entry.body).join(',')}]`;
      let r;
      try {
        r = await this.client.pushSignals(body);
      } catch (e) {
        r = { outcome: 'retry' as const, status: 0, text: errorMessage(e) };
      }
      if (r.outcome === 'ok' || r.outcome === 'refused') {
        await this.outbox.ack(items, this.client.url('signals'));
        if (r.outcome === 'ok') this.counters.sent += items.length;
        else {
          this.counters.refused += items.length;
          this.counters.failedBatches++;
          this.o.log?.(`capi: ${this.client.url('signals')} refused ${items.length} signals: ${r.status} ${r.text}`);
        }
        this.backoffMs = 0;
        continue;
      }
      if (r.outcome === 'relogin' && relogins++ === 0) continue;
      this.counters.failedBatches++;
      this.backoffMs = Math.min(this.o.maxBackoffMs ?? MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : 1_000);
      this.o.log?.(
        `capi: push failed (${r.status || 'unreachable'} ${r.text.slice(0, 200)}), retry in ${this.backoffMs} ms`,
      );
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
  }
}
