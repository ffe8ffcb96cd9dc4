// Starting and stopping Picket Central (`picket central run`): opens the store (embedded LMDB under --data, or
// PostgreSQL with --db), the data folder's secrets, the hub index and the consensus engine, starts the service's
// loops and the HTTP listener (src/lapi/server.ts: node:http, keep-alive for pulling LAPIs).

import { PicketError } from '../core/errors.js';
import { listen } from '../lapi/server.js';
import { createConsensus, type Consensus } from './consensus/index.js';
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

export async function startCentral(
  config: CentralConfig,
  o: {
    consensus?: Consensus;
    log?: (line: string) => void;
    now?: () => number;
  } = {},
): Promise<RunningCentral> {
  if (!config.data) throw new PicketError('CENTRAL_CONFIG', '--data DIR is required (secrets, and the embedded store)');
  const secrets = loadSecrets(config.data);
  const hub = HubIndex.load(config.hubIndex);
  const log = o.log ?? (() => undefined);
  if (hub.scenarios === 0) log('central: no hub index found: no signal is certified (set hub_index or --hub-index)');
  const consensus = o.consensus ?? createConsensus(config.consensus);
  const store = await openCentralStore(config);
  const service = new CentralService({ config, store, consensus, secrets, hub, log, now: o.now });
  try {
    await service.start();
    const l = await listen(centralHandler(service), parseListen(config.listen));
    return {
      url: l.url.replace(/\/$/, ''),
      service,
      async close() {
        await l.close();
        await service.stop();
        await store.close();
      },
    };
  } catch (e) {
    await service.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
}
