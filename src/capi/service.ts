// The crowd client of a running LAPI (issue 13): what `picket run` starts when `online_client` is configured.
// Owns: the list of started parts (the signal pusher, the metrics and usage-metrics pushes, and what other
// modules add — the community-blocklist puller hooks in with `add`), handing stored alerts to the outbox in order
// (`offer`), the catch-up of alerts stored but not yet offered when the process died, the audit trail's retention,
// the Prometheus counters, and stopping all of it. The LAPI calls `offer` through its onStored hook only.

import client from 'prom-client';
import { errorMessage } from '../core/errors.js';
import type { PicketStore } from '../store/lmdb.js';
import { SignalOutbox, alertIdsAfter, lastAlertId, offeredCursor, setOfferedCursor } from '../store/outbox.js';
import type { DecisionRecord, LapiStore } from '../store/records.js';
import { CapiClient } from './client.js';
import type { CapiCredentials, OnlineClientConfig } from './config.js';
import { MetricsPusher } from './metrics-push.js';
import { SignalPusher } from './pusher.js';
import { isUsageMetricsSource, UsagePusher } from './usage-push.js';

/** a started part of the crowd client */
export interface CrowdPart {
  readonly name: string;
  stop(): Promise<void> | void;
}

export interface CrowdCounters {
  queued: number;
  sent: number;
  dropped: number;
  failedBatches: number;
  refused: number;
  /** signals waiting in the outbox */
  outbox: number;
}

export interface CrowdServiceOptions {
  env: PicketStore;
  store: LapiStore;
  config: OnlineClientConfig;
  credentials: CapiCredentials;
  registry?: client.Registry;
  log: (line: string) => void;
  /** signal push cadence (default: first after 3-17 s, then every 10 s) */
  firstPushMs?: number;
  pushIntervalMs?: number;
  /** longest back-off between failed pushes (default 5 min) */
  maxBackoffMs?: number;
  /** metrics push (default: 5 s after start, then every 30 min) */
  firstMetricsMs?: number;
  metricsIntervalMs?: number;
  /** usage-metrics push (default: first after 15-45 min, random, then every 30 min) */
  firstUsageMs?: number;
  usageIntervalMs?: number;
  /** how long the audit trail keeps what was sent (the alerts' retention) */
  auditRetentionMs: number;
  /** outbox bound (default 100,000 signals) */
  outboxMax?: number;
}

const CATCHUP_BATCH = 500;
/** alerts older than this are never caught up (e.g. imported from CrowdSec while Picket was stopped) */
const CATCHUP_MAX_AGE_MS = 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

export class CrowdService {
  readonly client: CapiClient;
  readonly outbox: SignalOutbox;
  /** null when sharing is off (pull and metrics still run) */
  readonly pusher: SignalPusher | null;
  /** the usage-metrics push, once started (null when the store keeps no usage metrics) */
  usage: UsagePusher | null = null;
  private readonly parts: CrowdPart[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: CrowdServiceOptions) {
    const scenarios = (): string[] => {
      const all = new Set<string>();
      for (const m of o.store.listMachines()) for (const s of m.scenarios.split(',')) if (s) all.add(s);
      return [...all].sort();
    };
    this.client = new CapiClient(o.credentials, scenarios);
    this.outbox = new SignalOutbox(o.env, o.outboxMax);
    this.pusher =
      o.config.sharing === 'off'
        ? null
        : new SignalPusher(this.outbox, this.client, o.config, {
            firstMs: o.firstPushMs,
            intervalMs: o.pushIntervalMs,
            maxBackoffMs: o.maxBackoffMs,
            log: o.log,
          });
    if (o.registry) this.registerMetrics(o.registry);
  }

  /** starts the pusher (after catching up on alerts not offered yet), the metrics push and the audit retention */
  async start(): Promise<this> {
    if (this.pusher) {
      // in the offer chain: alerts stored meanwhile are queued after the catch-up, never twice at once
      this.chain = this.chain.then(() => this.catchUp());
      await this.chain;
      this.pusher.start();
      this.parts.push({ name: 'signal push', stop: () => this.pusher?.stop() });
    }
    const metrics = new MetricsPusher(this.o.store, this.client, {
      firstMs: this.o.firstMetricsMs,
      everyMs: this.o.metricsIntervalMs,
      log: this.o.log,
    });
    metrics.start();
    this.parts.push({ name: 'metrics push', stop: () => metrics.stop() });
    this.startUsagePush();
    this.pruneTimer = setInterval(() => void this.pruneAudit(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    await this.pruneAudit();
    return this;
  }

  /** the usage-metrics push (capi.md §7), when the store keeps usage metrics */
  private startUsagePush(): void {
    const store = this.o.store;
    if (!isUsageMetricsSource(store)) return;
    this.usage = new UsagePusher(store, this.client, this.o.config, {
      firstMs: this.o.firstUsageMs,
      everyMs: this.o.usageIntervalMs,
      log: this.o.log,
    });
    const usage = this.usage;
    usage.start();
    this.parts.push({ name: 'usage metrics push', stop: () => usage.stop() });
  }

  /** adds a started part (stopped with the service, in reverse order) */
  add(part: CrowdPart): void {
    this.parts.push(part);
  }

  get partNames(): string[] {
    return this.parts.map((p) => p.name);
  }

  /** the LAPI's onStored hook: never throws, never waits; alerts are queued in the order they were stored */
  offer(ids: readonly number[]): void {
    if (!this.pusher || this.stopped || ids.length === 0) return;
    const list = [...ids];
    this.chain = this.chain
      .then(() => this.offerNow(list))
      .catch((e: unknown) => this.o.log(`capi: ${errorMessage(e)}`));
  }

  private async offerNow(ids: number[]): Promise<void> {
    const pusher = this.pusher;
    if (!pusher) return;
    let last = -1;
    for (const id of ids) {
      const a = this.o.store.getAlert(id);
      if (a !== undefined) {
        const decisions: DecisionRecord[] = [];
        for (const d of a.decisionIds) {
          const rec = this.o.store.getDecision(d);
          if (rec !== undefined) decisions.push(rec);
        }
        await pusher.offer(a, decisions);
      }
      last = Math.max(last, id);
    }
    if (last >= 0 && last > (offeredCursor(this.o.env) ?? -1)) await setOfferedCursor(this.o.env, last);
  }

  /** alerts stored after the cursor (a crash between storing and queueing them) are offered now */
  private async catchUp(): Promise<void> {
    const cursor = offeredCursor(this.o.env);
    if (cursor === null) {
      // first start with a central API: nothing stored before is shared
      await setOfferedCursor(this.o.env, lastAlertId(this.o.env));
      return;
    }
    const since = Date.now() - CATCHUP_MAX_AGE_MS;
    let after = cursor;
    for (;;) {
      const ids = alertIdsAfter(this.o.env, after, CATCHUP_BATCH);
      if (ids.length === 0) return;
      const recent = ids.filter((id) => (this.o.store.getAlert(id)?.createdAt ?? 0) >= since);
      await this.offerNow(recent);
      after = ids[ids.length - 1]!;
      await setOfferedCursor(this.o.env, after);
    }
  }

  private async pruneAudit(): Promise<void> {
    try {
      const n = await this.outbox.pruneSent(Date.now() - this.o.auditRetentionMs);
      if (n > 0) this.o.log(`capi: audit retention removed ${n} record(s) of signals sent`);
    } catch (e) {
      this.o.log(`capi: audit retention failed: ${errorMessage(e)}`);
    }
  }

  counters(): CrowdCounters {
    const c = this.pusher?.counters ?? { queued: 0, sent: 0, failedBatches: 0, refused: 0 };
    return { ...c, dropped: this.outbox.dropped, outbox: this.outbox.size };
  }

  private registerMetrics(reg: client.Registry): void {
    const defs: [string, string, (c: CrowdCounters) => number][] = [
      ['picket_capi_signals_queued_total', 'signals queued for the central API', (c) => c.queued],
      ['picket_capi_signals_sent_total', 'signals the central API acknowledged', (c) => c.sent],
      ['picket_capi_signals_dropped_total', 'signals dropped because the outbox was full', (c) => c.dropped],
      ['picket_capi_batches_failed_total', 'signal batches that failed (retried, or refused)', (c) => c.failedBatches],
    ];
    const counters = (): CrowdCounters => this.counters();
    for (const [name, help, pick] of defs) {
      reg.removeSingleMetric(name);
      let last = 0;
      new client.Counter({
        name,
        help,
        registers: [reg],
        collect(this: client.Counter) {
          const v = pick(counters());
          if (v > last) this.inc(v - last);
          last = v;
        },
      });
    }
  }

  /** stops every part (reverse order) after the alerts offered so far are queued */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.chain;
    for (const p of [...this.parts].reverse()) {
      try {
        await p.stop();
      } catch (e) {
        this.o.log(`capi: stopping ${p.name}: ${errorMessage(e)}`);
      }
    }
  }
}
