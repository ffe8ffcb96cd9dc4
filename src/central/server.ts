// Starting and stopping Picket Central (`picket central run`): opens the store (embedded LMDB under --data, or
// PostgreSQL with --db), the data folder's secrets, the hub index and the consensus engine, starts the service's
// loops and the HTTP listener (src/lapi/server.ts: node:http, keep-alive for pulling LAPIs).

import { PicketError } from '../core/errors.js';
import { listen } from '../lapi/server.js';
import type { Consensus } from './consensus/types.js';
import type { CentralConfig } from './config.js';
import { HubIndex } from './hub-index.js';
import { centralHandler } from './routes.js';
import { loadSecrets } from './secret.js';
import { CentralService } from './service.js';
import { openCentralStore } from './store/open.js';

export interface RunningCentral {
  readonly url: string;
  readonly service: CentralService;
  close(): Promise<void>;
}

/** host:port -> parts (port 0 = any free port) */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new PicketError('CENTRAL_CONFIG', `listen '${text}': HOST:PORT expected`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** the consensus engine of src/central/consensus (loaded at run time so the server builds without it) */
export async function loadConsensus(config: unknown): Promise<Consensus> {
  const spec = './consensus/index.js';
  let mod: { createConsensus?: (config: unknown) => Consensus };
  try { mod = (await import(spec)) as typeof mod; } catch (e) {
    throw new PicketError('CENTRAL_CONSENSUS', `the consensus engine cannot be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof mod.createConsensus !== 'function') throw new PicketError('CENTRAL_CONSENSUS', 'consensus module has no createConsensus()');
  return mod.createConsensus(config);
}

export async function startCentral(config: CentralConfig, o: {
  consensus?: Consensus; log?: (line: string) => void; now?: () => number;
} = {}): Promise<RunningCentral> {
  if (!config.data) throw new PicketError('CENTRAL_CONFIG', '--data DIR is required (secrets, and the embedded store)');
  const secrets = loadSecrets(config.data);
  const hub = HubIndex.load(config.hubIndex);
  const log = o.log ?? (() => undefined);
  if (hub.scenarios === 0) log('central: no hub index found: no signal is certified (set hub_index or --hub-index)');
  const consensus = o.consensus ?? await loadConsensus(config.consensus);
  const store = await openCentralStore(config);
  const service = new CentralService({ config, store, consensus, secrets, hub, log, now: o.now });
  try {
    await service.start();
    const l = await listen(centralHandler(service), parseListen(config.listen));
    return {
      url: l.url.replace(/\/$/, ''),
      service,
      async close() { await l.close(); await service.stop(); await store.close(); },
    };
  } catch (e) {
    await service.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
}
