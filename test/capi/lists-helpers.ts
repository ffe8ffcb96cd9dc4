// Shared set-up of the crowd-receiving tests: a real LMDB store (LAPI store, allowlists) in a temp folder, the
// list engine on it, and a real HTTP server on 127.0.0.1 serving list bodies with an ETag (304 on If-None-Match)
// and recording the conditional headers it got; site B of the end-to-end tests (a `picket run` pulling from a
// central).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { BouncerClient } from '../../src/client/index.js';
import { picket, startPicket, type RunningPicket } from '../cli/helpers.js';
import { openStore, type PicketStore } from '../../src/store/lmdb.js';
import { openLapiStore, type LmdbLapiStore } from '../../src/store/lapi-store.js';
import { AllowlistStore } from '../../src/store/allowlists.js';
import { BlocklistTable, emptyState, type BlocklistRecord } from '../../src/store/blocklists.js';
import { ListSync } from '../../src/capi/lists.js';
import { PullMetrics } from '../../src/capi/pull-metrics.js';
import type { SyncTarget } from '../../src/capi/origin-sync.js';

export interface Site {
  dir: string;
  env: PicketStore;
  store: LmdbLapiStore;
  allowlists: AllowlistStore;
  registry: client.Registry;
  target: SyncTarget;
  lists: ListSync;
  close(): Promise<void>;
}

export function openSite(): Site {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-crowd-'));
  const env = openStore(dir);
  const store = openLapiStore(env, { syncIntervalMs: 0 });
  const allowlists = new AllowlistStore(env, { reloadEveryMs: 0 });
  const registry = new client.Registry();
  const target: SyncTarget = { store, allowlists, metrics: new PullMetrics(registry) };
  const lists = new ListSync(target, new BlocklistTable(env));
  return {
    dir,
    env,
    store,
    allowlists,
    registry,
    target,
    lists,
    async close() {
      await lists.stop();
      await store.close();
      await env.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function userList(name: string, url: string, over: Partial<BlocklistRecord> = {}): BlocklistRecord {
  return {
    name,
    url,
    source: 'user',
    type: 'ban',
    scope: 'Ip',
    durationMs: 24 * 3_600_000,
    intervalMs: 3_600_000,
    createdAt: Date.now(),
    state: emptyState(),
    ...over,
  };
}

export interface ListServer {
  url: string;
  /** path -> body served (an ETag derived from the body) */
  bodies: Map<string, string>;
  /** conditional headers received, in order */
  seen: { path: string; ifNoneMatch: string; status: number }[];
  close(): Promise<void>;
}

export async function startListServer(): Promise<ListServer> {
  const bodies = new Map<string, string>();
  const seen: ListServer['seen'] = [];
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    const body = bodies.get(p);
    const inm = String(req.headers['if-none-match'] ?? '');
    if (body === undefined) {
      seen.push({ path: p, ifNoneMatch: inm, status: 404 });
      res.writeHead(404).end();
      return;
    }
    const etag = `"${Buffer.from(body).toString('base64url').slice(-16)}-${body.length}"`;
    const status = inm === etag ? 304 : 200;
    seen.push({ path: p, ifNoneMatch: inm, status });
    if (status === 304) res.writeHead(304, { etag }).end();
    else res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** active decisions of `origin` (simulated included), by value */
export function activeValues(site: Site, origin: string): string[] {
  return site.store
    .queryDecisions({ origins: [origin], simulated: true }, Date.now())
    .filter((d) => d.origin === origin && d.until > Date.now())
    .map((d) => d.value)
    .sort();
}

export async function metricValue(reg: client.Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = await reg.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

/** `picket ARGS` as a child process that must succeed; its stdout */
export async function picketOk(args: string[]): Promise<string> {
  const r = await picket(args);
  assert.equal(r.code, 0, `picket ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Site B of the end-to-end tests: registered with the central at `url` (`registerArgs`: e.g. `--token T`),
 * `allowlisted` in a local allowlist, then
 * `picket run --no-agent` with online_client (sharing off, pull every minute) and a bouncer client on it.
 */
export async function startSiteB(
  dir: string,
  url: string,
  allowlisted: string,
  runArgs: string[] = ['--metrics', 'off'],
  registerArgs: string[] = [],
): Promise<{ site: RunningPicket; data: string; bouncer: BouncerClient }> {
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  const creds = path.join(dir, 'online_api_credentials.yaml');
  await picketOk(['capi', 'register', '--url', url, ...registerArgs, '-f', creds, '--data', data]);
  await picketOk(['allowlists', 'create', 'office', '--data', data]);
  await picketOk(['allowlists', 'add', 'office', allowlisted, '--data', data]);
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, `online_client:\n  credentials_path: ${creds}\n  sharing: 'off'\n  pull:\n    interval: 1m\n`);
  const site = await startPicket(['--no-agent', ...runArgs, '--config', cfg], dir);
  const key = (await picketOk(['bouncers', 'add', 'fw', '-o', 'raw', '--data', data])).trim();
  return { site, data, bouncer: new BouncerClient({ url: site.url, apiKey: key }) };
}
