// The web console of `picket run` (config `console: {enabled, listen}`): on when set so, else only when its
// address is a loopback one; mounted under /ui of the LAPI's listener, or on its own listener (`listen`, with
// the LAPI's certificate when the LAPI has TLS; no client certificates there), where `/` leads to /ui/ and
// nothing but /ui is served. Owns this wiring; the console itself is src/console.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PicketConfig } from '../config/config.js';
import type { PicketStore } from '../store/lmdb.js';
import type { LmdbLapiStore } from '../store/lapi-store.js';
import type { AllowlistStore } from '../store/allowlists.js';
import type { RetentionPolicy } from '../store/records.js';
import { consoleEnabled, createConsole, type ConsoleHandler } from '../console/index.js';
import { listen, type Listener } from '../lapi/server.js';
import type { LapiServer } from '../lapi/index.js';
import { parseListenAddr, type ListenAddr } from '../metrics/server.js';
import { CliError } from './command.js';
import { errorMessage } from '../core/errors.js';

export interface ConsolePlan {
  handler: ConsoleHandler;
  /** its own address (null: under /ui of the LAPI) */
  own: ListenAddr | null;
}

/** the console `picket run` serves (null: off) */
export function planConsole(
  env: PicketStore,
  o: {
    lapiListen: ListenAddr;
    config: PicketConfig;
    store: LmdbLapiStore;
    allowlists: AllowlistStore;
    retention: RetentionPolicy;
    log: (line: string) => void;
  },
): ConsolePlan | null {
  const c = o.config.console ?? {};
  let own: ListenAddr | null;
  try {
    own = c.listen === undefined ? null : parseListenAddr(c.listen);
  } catch (e) {
    throw new CliError(`console.listen: ${errorMessage(e)}`, 1);
  }
  if (!consoleEnabled((own ?? o.lapiListen).host, c.enabled)) return null;
  const handler = createConsole({
    store: o.store,
    allowlists: o.allowlists,
    dataDir: env.dir,
    tls: o.config.tls !== undefined,
    reportDir: o.config.report?.outputDir,
    gdpr: { env, retention: o.retention, afterErase: () => o.store.sync() },
    log: o.log,
  });
  return { handler, own };
}

/** the console on its own address; its decision add goes through the LAPI's in-process ingestion */
export async function listenConsole(plan: ConsolePlan, addr: ListenAddr, config: PicketConfig, lapi: LapiServer) {
  const ui = plan.handler;
  ui.ingest = (alerts, machineId) => lapi.ingestAlerts(alerts, machineId);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const p = (req.url ?? '/').split('?')[0]!;
    if (p === '/ui' || p.startsWith('/ui/')) ui.handle(req, res);
    else if (p === '/') res.writeHead(302, { Location: '/ui/' }).end();
    else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: the console is under /ui/\n');
  };
  const tls = config.tls ? { certFile: config.tls.certFile, keyFile: config.tls.keyFile } : undefined;
  const l: Listener = await listen(handler, addr, tls);
  return l;
}
