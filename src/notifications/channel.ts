// One notification's delivery line (pkg/csplugin broker + watcher semantics): alerts wait in a bounded queue,
// grouped by `group_wait` (send what accumulated that long after the first one) and `group_threshold` (send as
// soon as that many wait; batches of at most that many); neither set: one message per alert. A batch is rendered
// with the notification's template and sent by its sender, `max_retry` attempts with a doubling back-off, each
// bounded by `timeout`. Deliveries of one notification run one at a time; nothing here blocks the caller.
// Owns the queue, the timer, the retries and the per-delivery outcome callbacks.

import { errorMessage } from '../core/errors.js';
import type { NotificationConfig } from './config.js';
import type { Sender } from './senders/index.js';
import type { CompiledTemplate } from './template/index.js';
import { templateAlerts } from './alert-view.js';

export type AlertJson = Record<string, unknown>;

export interface ChannelEvents {
  sent(cfg: NotificationConfig, alerts: number): void;
  failed(cfg: NotificationConfig, alerts: number, why: string): void;
  dropped(cfg: NotificationConfig, alerts: number): void;
}

export interface ChannelOptions {
  /** most alerts waiting (grouped or queued for delivery) before new ones are dropped */
  queueLimit: number;
  /** first back-off between attempts (doubles after each failure); CrowdSec uses 1 s */
  backoffMs: number;
}

export class Channel {
  private pending: AlertJson[] = [];
  private waiting = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** after close(): deliveries not started by this time are dropped, retries stop (epoch ms) */
  private stopAt = Infinity;

  constructor(
    readonly cfg: NotificationConfig,
    private readonly template: CompiledTemplate,
    private readonly sender: Sender,
    private readonly events: ChannelEvents,
    private readonly opts: ChannelOptions,
  ) {}

  /** Queues one alert (never throws, never waits). */
  add(alert: AlertJson): void {
    if (this.closed || this.waiting >= this.opts.queueLimit) {
      this.events.dropped(this.cfg, 1);
      return;
    }
    this.pending.push(alert);
    this.waiting++;
    const { groupWaitMs: wait, groupThreshold: threshold } = this.cfg;
    if ((wait === 0 && threshold === 0) || (threshold > 0 && this.pending.length >= threshold)) {
      this.flush();
      return;
    }
    if (wait > 0 && this.timer === null) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Hands what waits to delivery now (batches of group_threshold when set). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const all = this.pending;
    this.pending = [];
    const size = this.cfg.groupThreshold > 0 ? this.cfg.groupThreshold : all.length;
    for (let i = 0; i < all.length; i += size) {
      const batch = all.slice(i, i + size);
      this.chain = this.chain
        .then(() => this.deliver(batch))
        .finally(() => {
          this.waiting -= batch.length;
        });
    }
  }

  /** Renders and sends one batch now, with the retries (also used by `notifications test`); rejects on failure. */
  async sendBatch(batch: AlertJson[]): Promise<void> {
    const message = this.template.render(templateAlerts(batch));
    let last: unknown = null;
    for (let attempt = 1; attempt <= this.cfg.maxRetry && (attempt === 1 || Date.now() < this.stopAt); attempt++) {
      try {
        await this.sender.send(message, AbortSignal.timeout(this.cfg.timeoutMs));
        return;
      } catch (e) {
        last = e;
        if (attempt < this.cfg.maxRetry)
          await new Promise((r) => setTimeout(r, this.opts.backoffMs * 2 ** (attempt - 1)));
      }
    }
    throw new Error(`${this.cfg.maxRetry} attempt(s) failed, last: ${describe(last)}`);
  }

  private async deliver(batch: AlertJson[]): Promise<void> {
    if (Date.now() > this.stopAt) {
      this.events.dropped(this.cfg, batch.length);
      return;
    }
    try {
      await this.sendBatch(batch);
      this.events.sent(this.cfg, batch.length);
    } catch (e) {
      this.events.failed(this.cfg, batch.length, errorMessage(e));
    }
  }

  /** Sends what waits and waits for every delivery to end. */
  async drain(): Promise<void> {
    this.flush();
    let c: Promise<void>;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  /** Stops taking alerts; what waits is sent for `graceMs` more, then dropped (a shutdown stays bounded). */
  async close(graceMs = 5000): Promise<void> {
    this.stopAt = Date.now() + graceMs;
    await this.drain();
    this.closed = true;
    await this.sender.close();
  }
}

function describe(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return 'timed out';
  const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return errorMessage(e) + cause;
}
