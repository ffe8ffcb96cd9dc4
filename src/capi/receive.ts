// What the LAPI process receives from outside (issue 13): the blocklists users subscribe to (always, with or
// without a central API) and, when `online_client` names a central API, the community blocklist and the lists it
// links (./puller.ts). Owns: building the list engine and the puller on the LAPI's store, allowlists and metrics
// registry, and their start/stop (the CAPI service of the LAPI, src/capi/service.ts, hands it its client).

import type client from 'prom-client';
import type { AllowlistStore } from '../store/allowlists.js';
import { BlocklistTable } from '../store/blocklists.js';
import type { LmdbLapiStore } from '../store/lapi-store.js';
import type { PicketStore } from '../store/lmdb.js';
import type { CapiClient } from './client.js';
import type { OnlineClientConfig } from './config.js';
import { ListSync } from './lists.js';
import type { SyncTarget } from './origin-sync.js';
import { PullMetrics } from './pull-metrics.js';
import { CommunityPuller } from './puller.js';

export interface ReceiveOptions {
  env: PicketStore;
  store: LmdbLapiStore;
  allowlists: AllowlistStore | null;
  registry?: client.Registry;
  log?: (line: string) => void;
  clock?: () => number;
  /** how often due user lists are looked for (default 10 s) */
  listTickMs?: number;
}

export class CrowdReceiver {
  readonly target: SyncTarget;
  readonly lists: ListSync;
  puller: CommunityPuller | null = null;

  constructor(private readonly o: ReceiveOptions) {
    this.target = { store: o.store, allowlists: o.allowlists, metrics: new PullMetrics(o.registry) };
    this.lists = new ListSync(this.target, new BlocklistTable(o.env), {
      clock: o.clock,
      log: o.log,
      tickMs: o.listTickMs,
    });
  }

  /** starts syncing user lists (first look at once) */
  start(): this {
    this.lists.start();
    return this;
  }

  /** starts the community pull loop with this central API client (first pull after `firstMs`) */
  startPuller(capi: Pick<CapiClient, 'pullStream'>, config: OnlineClientConfig, firstMs = 0): CommunityPuller {
    this.puller = new CommunityPuller(capi, this.target, this.lists, this.o.env, config, {
      clock: this.o.clock,
      log: this.o.log,
      firstMs,
    });
    this.puller.start();
    return this.puller;
  }

  async stop(): Promise<void> {
    await this.puller?.stop();
    await this.lists.stop();
  }
}
