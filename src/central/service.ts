// The running state of Picket Central: store, consensus, community list, curated links, logins, ingest queue,
// and the background loops: the list tick (every `snapshot.tick_seconds`), the second tick (machine records
// written, operator operations queued by the CLI applied: delist, erase, curated entries, machine deletions), the
// consensus state saved every `snapshot.state_minutes` (15) and at shutdown, raw signals expired every hour.
// HTTP handlers (./routes.ts) call into it.

import { errorMessage } from '../core/errors.js';
import type { Consensus } from './consensus/types.js';
import { AsLookup } from './asn.js';
import { TokenAuth } from './auth.js';
import { CommunityList } from './community-list.js';
import type { CentralConfig } from './config.js';
import { HubIndex } from './hub-index.js';
import { IngestQueue } from './ingest.js';
import { AddressPolicy } from './ipnet.js';
import { CuratedLinks } from './links.js';
import { Machines } from './machines.js';
import type { CentralOp, MachineRecord } from './records.js';
import { RegistrationGate } from './registration.js';
import type { CentralSecrets } from './secret.js';
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
  readonly log: (line: string) => void;
  readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private busy = false;

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
    this.ingest = new IngestQueue(o.store, o.consensus, (e) =>
      this.log(`central: signal write failed: ${errorMessage(e)}`),
    );
  }

  /** restore the consensus state and curated entries, apply queued operations, compute the first list */
  async start(): Promise<void> {
    const now = this.now();
    const state = await this.store.loadState();
    if (state !== undefined) this.consensus.importState(JSON.parse(state) as unknown);
    else for (const m of await this.store.listMachines()) this.registerReporter(m, now);
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
    every(this.config.stateMinutes * 60_000, () => this.saveState());
    every(3_600_000, async () => {
      await this.expire();
    });
  }

  registerReporter(m: MachineRecord, now: number): void {
    this.consensus.registerReporter(
      { id: m.pseudonym, registeredAt: m.registeredAt, asn: m.asn, network: m.network },
      now,
    );
  }

  tick(): void {
    const now = this.now();
    this.list.tick(now);
    this.links.update(this.list.curatedEntries(), now);
  }

  private async second(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.applyOps(); // first: a machine deleted by the CLI must not be written back by the flush
      await this.machines.flush();
    } finally {
      this.busy = false;
    }
  }

  /** operator operations written by `picket central …` (this process or another) */
  async applyOps(): Promise<number> {
    const ops = await this.store.pendingOps();
    if (ops.length === 0) return 0;
    for (const { op } of ops) this.apply(op);
    await this.store.ackOps(ops.map((o) => o.id));
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

  async saveState(): Promise<void> {
    await this.store.saveState(JSON.stringify(this.consensus.exportState()));
  }

  async expire(): Promise<number> {
    const n = await this.store.expireSignals(this.now() - this.config.signalsRetentionDays * DAY_MS);
    if (n > 0) this.log(`central: ${n} raw signals expired`);
    return n;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.ingest.close();
    await this.machines.flush();
    await this.saveState();
  }
}
