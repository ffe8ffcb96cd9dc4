// The running state of Picket Central: store, consensus, community list, curated links, logins, ingest queue,
// and the background loops: the list tick (every `snapshot.tick_seconds`), the second tick (machine records
// written, operator operations queued by the CLI applied: delist, erase, curated entries, machine deletions), the
// consensus state saved every `snapshot.state_minutes` (15) and at shutdown (./state-keeper.ts: a piece at a
// time; every change to the consensus goes through the gate, which holds them while a save takes its pieces),
// raw signals expired every hour. An operator operation that changes the consensus (delist, erase, curated or
// machine deletion) is acknowledged in the store once a saved state reflects it (a crash before that applies it
// again at the next start). HTTP handlers (./routes.ts) call into it.

import { toMinute } from './signals.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { errorMessage } from '../core/errors.js';
import type { Consensus } from './consensus/types.js';
import { AsLookup } from './asn.js';
import { TokenAuth } from './auth.js';
import { CommunityList } from './community-list.js';
import type { CentralConfig } from './config.js';
import { HubIndex } from './hub-index.js';
import { IngestQueue } from './ingest.js';
import { AddressPolicy } from './ipnet.js';
import { ConsensusGate } from './gate.js';
import { CuratedLinks } from './links.js';
import { Machines } from './machines.js';
import type { CentralOp, MachineRecord } from './records.js';
import { RegistrationGate } from './registration.js';
import type { CentralSecrets } from './secret.js';
import { restoreConsensus, saveConsensus, type SaveResult } from './state-keeper.js';
import type { CentralStore } from './store/types.js';

const DAY_MS = 86_400_000;

export interface ServiceOptions {
  config: CentralConfig;
  store: CentralStore;
  consensus: Consensus;
  secrets: CentralSecrets;
  hub: HubIndex;
  log?: (line: string) => void;
  /** clock (tests) */
  now?: () => number;
}

export class CentralService {
  readonly config: CentralConfig;
  readonly store: CentralStore;
  readonly consensus: Consensus;
  readonly hub: HubIndex;
  readonly list: CommunityList;
  readonly links: CuratedLinks;
  readonly machines: Machines;
  readonly auth: TokenAuth;
  readonly gate: RegistrationGate;
  readonly policy: AddressPolicy;
  readonly asn = new AsLookup();
  readonly ingest: IngestQueue;
  readonly consensusGate = new ConsensusGate();
  readonly log: (line: string) => void;
  readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private busy = false;
  /** operator operations applied and not yet reflected by a saved state (acknowledged after the next save) */
  private readonly applied = new Set<string>();
  private saving: Promise<SaveResult> | null = null;
  /** the event loop's delay, during each save and between two (reported with each save) */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(o: ServiceOptions) {
    this.config = o.config;
    this.store = o.store;
    this.consensus = o.consensus;
    this.hub = o.hub;
    this.log = o.log ?? (() => undefined);
    this.now = o.now ?? Date.now;
    this.list = new CommunityList(o.consensus, o.config.consensus.listCap);
    this.links = new CuratedLinks(o.secrets.jwtKey);
    this.machines = new Machines(o.store, o.secrets);
    this.auth = new TokenAuth(o.secrets.jwtKey);
    this.gate = new RegistrationGate({
      token: o.config.registrationToken,
      perNetwork: o.config.registrationsPerNetworkPerHour,
      perAs: o.config.registrationsPerAsPerHour,
    });
    this.policy = new AddressPolicy(o.config.acceptRanges);
    this.ingest = new IngestQueue(o.store, o.consensus, this.consensusGate, (e) =>
      this.log(`central: signal write failed: ${errorMessage(e)}`),
    );
  }

  /** restore the consensus state (and replay the signals it does not reflect) and curated entries, apply queued
   *  operations, compute the first list */
  async start(): Promise<void> {
    const now = this.now();
    const r = await restoreConsensus({
      consensus: this.consensus,
      store: this.store,
      machines: await this.store.listMachines(),
      register: (m) => this.registerReporter(m, now),
      removed: (changes) => {
        for (const c of changes) this.list.removed(c.value, c.scope, c.at);
      },
    });
    this.ingest.resume(r.point);
    if (r.restored || r.replayed)
      this.log(`central: consensus state ${r.restored ? 'restored' : 'rebuilt'}, ${r.replayed} signals replayed`);
    this.loopDelay.enable();
    for (const c of await this.store.listCurated()) {
      this.list.setCurated(c);
      this.consensus.addCurated({ scope: c.scope, value: c.value, scenario: c.scenario, until: c.until }, now);
    }
    await this.applyOps();
    await this.expire();
    this.tick();
    const every = (ms: number, f: () => Promise<void> | void): void => {
      const t = setInterval(() => {
        void Promise.resolve()
          .then(f)
          .catch((e: unknown) => this.log(`central: ${errorMessage(e)}`));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.config.tickSeconds * 1000, () => this.tick());
    every(1000, () => this.second());
    every(this.config.stateMinutes * 60_000, async () => {
      await this.saveState();
    });
    every(3_600_000, async () => {
      await this.expire();
    });
  }

  registerReporter(m: MachineRecord, now: number): void {
    // the consensus sees signals as stored, on the minute (signals.ts toMinute): the registration goes on the same
    // grid, or a signal received in the minute of its reporter's registration would predate it (a negative age)
    const r = { id: m.pseudonym, registeredAt: toMinute(m.registeredAt), asn: m.asn, network: m.network };
    this.consensusGate.run(() => this.consensus.registerReporter(r, now));
  }

  /** recompute the list (after the save when one is taking the state) */
  tick(): void {
    this.consensusGate.runOnce('tick', () => {
      const now = this.now();
      this.list.tick(now);
      this.links.update(this.list.curatedEntries(), now);
    });
  }

  private async second(): Promise<void> {
    if (this.busy || this.consensusGate.held) return; // while a save takes the state: a second or two later
    this.busy = true;
    try {
      await this.applyOps(); // first: a machine deleted by the CLI must not be written back by the flush
      await this.machines.flush();
    } finally {
      this.busy = false;
    }
  }

  /** operator operations written by `picket central …` (this process or another), acknowledged after the next
   *  state save */
  async applyOps(): Promise<number> {
    const ops = (await this.store.pendingOps()).filter((o) => !this.applied.has(o.id));
    if (ops.length === 0 || this.consensusGate.held) return 0;
    const done: string[] = [];
    for (const { id, op } of ops) {
      this.apply(op);
      // what the store itself keeps (curated entries, machines) is read again at start: acknowledged at once
      if (op.kind === 'curated-add' || op.kind === 'machine-add') done.push(id);
      else this.applied.add(id);
    }
    await this.store.ackOps(done);
    this.links.update(this.list.curatedEntries(), this.now());
    return ops.length;
  }

  private apply(op: CentralOp): void {
    const now = this.now();
    switch (op.kind) {
      case 'delist':
      case 'erase': {
        if (op.kind === 'delist') this.consensus.delist(op.value, now, op.holdMs);
        else this.consensus.erase(op.value, now);
        this.consensus.removeCurated(op.value, now);
        if (!this.list.deleteCurated(op.value, now))
          this.list.removed(op.value, op.value.includes('/') ? 'Range' : 'Ip', now);
        break;
      }
      case 'curated-add':
        this.list.setCurated(op.entry);
        this.consensus.addCurated(
          { scope: op.entry.scope, value: op.entry.value, scenario: op.entry.scenario, until: op.entry.until },
          now,
        );
        break;
      case 'curated-delete':
        this.consensus.removeCurated(op.value, now);
        this.list.deleteCurated(op.value, now);
        break;
      case 'machine-delete':
        this.consensus.removeReporter(op.pseudonym, now);
        for (const m of [...this.machines.cached()]) {
          if (m.pseudonym === op.pseudonym) {
            this.machines.evict(m.login);
            this.auth.forget(m.login);
          }
        }
        break;
      case 'machine-add':
        this.machines.evict(op.login);
        break;
    }
  }

  /** the consensus state to the store, a piece at a time (one save at a time: a second caller waits for it) */
  saveState(): Promise<SaveResult> {
    this.saving ??= this.save().finally(() => {
      this.saving = null;
    });
    return this.saving;
  }

  private async save(): Promise<SaveResult> {
    const acks = [...this.applied];
    const between = this.loopDelay.max / 1e6;
    this.loopDelay.reset();
    const r = await saveConsensus({
      consensus: this.consensus,
      gate: this.consensusGate,
      store: this.store,
      point: () => this.ingest.point,
      now: this.now(),
    });
    const during = this.loopDelay.max / 1e6;
    this.loopDelay.reset();
    await this.store.ackOps(acks);
    for (const id of acks) this.applied.delete(id);
    this.log(
      `central: consensus state saved: ${r.chunks} chunks, ${(r.chars / 1e6).toFixed(1)} MB, ${Math.round(r.ms)} ms, ` +
        `longest step ${r.longestStepMs.toFixed(1)} ms, ${r.waited} changes waited; event-loop delay max ` +
        `${during.toFixed(1)} ms during the save, ${between.toFixed(1)} ms since the previous one`,
    );
    return r;
  }

  async expire(): Promise<number> {
    const n = await this.store.expireSignals(this.now() - this.config.signalsRetentionDays * DAY_MS);
    if (n > 0) this.log(`central: ${n} raw signals expired`);
    return n;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.saving?.catch(() => undefined);
    await this.ingest.close();
    await this.machines.flush();
    await this.saveState();
    this.loopDelay.disable();
  }
}
