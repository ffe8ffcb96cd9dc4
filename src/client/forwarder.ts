// Sends an agent's alerts to a remote Local API as a watcher (`picket run --no-api`, `picket replay
// --lapi`): a bounded in-memory queue (when full, new alerts are dropped, counted and logged — never
// silently), pushes in batches of up to 100 alerts, retries with exponential backoff (1 s .. 60 s) while the
// LAPI is unreachable or answers 5xx, gives up on a batch the LAPI rejects (4xx, or 5xx five times in a
// row: counted and logged), and a heartbeat every 60 s. Owns: the queue, retry and heartbeat policy.

import type { WatcherClient } from './watcher.js';
import type { AlertInput } from './alerts.js';
import { LapiError } from './errors.js';

export interface ForwarderOptions {
  /** alerts kept while the LAPI is unreachable (default 10,000) */
  maxQueue?: number;
  /** alerts per POST /v1/alerts (default 100) */
  batchSize?: number;
  /** heartbeat period (default 60 s; 0 = none) */
  heartbeatMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** attempts of one batch answered with 5xx before it is given up (default 5) */
  maxServerErrors?: number;
  log: (line: string) => void;
}

export interface ForwarderStats {
  /** alerts accepted by the LAPI */
  sent: number;
  /** alerts dropped because the queue was full */
  dropped: number;
  /** alerts the LAPI refused (given up) */
  rejected: number;
  /** alerts waiting */
  queued: number;
  /** failed push attempts (each retried) */
  failures: number;
}

const DROP_LOG_EVERY_MS = 10_000;

export class AlertForwarder {
  private readonly queue: AlertInput[] = [];
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxServerErrors: number;
  private readonly stats_: ForwarderStats = { sent: 0, dropped: 0, rejected: 0, queued: 0, failures: 0 };
  private running: Promise<void> | null = null;
  private backoff = 0;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastDropLog = 0;
  private droppedSinceLog = 0;
  private closing = false;

  constructor(
    private readonly client: WatcherClient,
    private readonly o: ForwarderOptions,
  ) {
    this.maxQueue = o.maxQueue ?? 10_000;
    this.batchSize = o.batchSize ?? 100;
    this.minBackoff = o.minBackoffMs ?? 1000;
    this.maxBackoff = o.maxBackoffMs ?? 60_000;
    this.maxServerErrors = o.maxServerErrors ?? 5;
    const hb = o.heartbeatMs ?? 60_000;
    if (hb > 0) {
      this.heartbeatTimer = setInterval(() => {
        this.client.heartbeat().catch((e: Error) => this.o.log(`heartbeat to ${this.client.url} failed: ${e.message}`));
      }, hb);
      this.heartbeatTimer.unref();
    }
  }

  get stats(): ForwarderStats {
    return { ...this.stats_, queued: this.queue.length };
  }

  push(a: AlertInput): void {
    if (this.queue.length >= this.maxQueue) {
      this.stats_.dropped++;
      this.droppedSinceLog++;
      const now = Date.now();
      if (now - this.lastDropLog >= DROP_LOG_EVERY_MS) {
        this.o.log(
          `alert queue full (${this.maxQueue}, LAPI ${this.client.url} not keeping up or unreachable): dropped ${this.droppedSinceLog} alert(s), ${this.stats_.dropped} in total`,
        );
        this.lastDropLog = now;
        this.droppedSinceLog = 0;
      }
      return;
    }
    this.queue.push(a);
    this.running ??= this.loop().finally(() => {
      this.running = null;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    }).then(() => {
      this.wake = null;
      this.sleepTimer = null;
    });
  }

  private async loop(): Promise<void> {
    let serverErrors = 0;
    while (this.queue.length > 0) {
      // the batch leaves the queue while in flight, and goes back to its front for a retry
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.client.pushAlerts(batch);
        this.stats_.sent += batch.length;
        this.backoff = 0;
        serverErrors = 0;
        continue;
      } catch (e) {
        this.stats_.failures++;
        const err = e as Error;
        const status = e instanceof LapiError ? e.status : 0;
        if (status >= 400 && status < 500 && status !== 429) {
          this.stats_.rejected += batch.length;
          this.o.log(`LAPI ${this.client.url} refused ${batch.length} alert(s), given up: ${err.message}`);
          continue;
        }
        if (status >= 500 && ++serverErrors >= this.maxServerErrors) {
          this.stats_.rejected += batch.length;
          this.o.log(
            `LAPI ${this.client.url} failed ${serverErrors} times on ${batch.length} alert(s), given up: ${err.message}`,
          );
          serverErrors = 0;
          continue;
        }
        this.queue.unshift(...batch);
        if (this.closing) return;
        this.backoff = this.backoff === 0 ? this.minBackoff : Math.min(this.maxBackoff, this.backoff * 2);
        this.o.log(
          `pushing ${batch.length} alert(s) to ${this.client.url} failed (${err.message}); retry in ${Math.round(this.backoff / 1000)} s, ${this.queue.length} queued`,
        );
        await this.sleep(this.backoff);
        if (this.closing) return;
      }
    }
  }

  /**
   * Stops the heartbeat and tries to deliver what is queued within `timeoutMs`; what is still queued after
   * that is counted as dropped (and logged). Returns the final stats.
   */
  async close(timeoutMs = 5000): Promise<ForwarderStats> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    // a retry waiting in backoff is tried once more right now
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer);
      this.wake?.();
    }
    const deadline = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    if (this.running) await Promise.race([this.running, deadline]);
    this.closing = true;
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer);
      this.wake?.();
    }
    if (this.queue.length > 0) {
      this.stats_.dropped += this.queue.length;
      this.o.log(`${this.queue.length} alert(s) not delivered to ${this.client.url} before stopping: dropped`);
      this.queue.length = 0;
    }
    if (this.running) await this.running.catch(() => undefined);
    if (this.queue.length > 0) {
      // a batch in flight at the deadline that failed afterwards
      this.stats_.dropped += this.queue.length;
      this.queue.length = 0;
    }
    return this.stats;
  }
}
