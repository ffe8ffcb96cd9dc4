// Public API of Picket's Local API (CrowdSec LAPI v1 wire-compatible, spec lapi.md): `startLapi` builds the
// app (store, JWT secret, API-key auth, metrics, profiles), registers every route group and listens;
// `ensureLocalCredentials` prepares the local CLI's machine. Allowlist routes (`/v1/allowlists*`) are served
// when an `allowlists` store is given; without one they answer 404 like CrowdSec v1.4.6.

import client from 'prom-client';
import type { LapiStore, RetentionPolicy } from '../store/records.js';
import type { Profile } from '../profiles/index.js';
import type { AlertInput } from '../api/alerts.js';
import { LapiApp } from './app.js';
import { ApiKeyAuth } from './auth-apikey.js';
import { JwtAuth, jwtSecretFromEnv } from './auth-jwt.js';
import { TlsClientAuth } from './auth-tls.js';
import { LapiMetrics } from './metrics.js';
import { Router } from './router.js';
import { createDispatcher, type UiMount } from './dispatch.js';
import { listen, type TlsFiles } from './server.js';
import { loadProtobufCodec } from './protobuf-codec.js';
import { validateAlerts } from './validate.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerWatcherRoutes } from './routes/watchers.js';
import { registerHeartbeatRoutes } from './routes/heartbeat.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerDecisionRoutes } from './routes/decisions.js';
import { registerStreamRoutes } from './routes/stream.js';
import { registerUsageMetricsRoutes } from './routes/usage-metrics.js';
import { registerAllowlistRoutes } from './routes/allowlists.js';
import type { AllowlistStore } from '../store/allowlists.js';
import type { AlertNotifyHook } from './notify.js';

import { ensureLocalCredentials } from './credentials.js';
export { ensureLocalCredentials, CREDENTIALS_FILE } from './credentials.js';
export { LapiSecretError } from './auth-jwt.js';
export { AlertBodyError } from './validate.js';
export type { AlertNotifyHook } from './notify.js';

export interface LapiOptions {
  store: LapiStore;
  /** log one line per stored alert naming its decisions (default true) */
  alertLog?: boolean;
  /** port 0 = any free port */
  listen: { host: string; port: number };
  /** where local_api_credentials.yaml is written (see ensureLocalCredentials) */
  dataDir: string;
  /** evaluated for alerts that arrive without decisions */
  profiles: Profile[];
  /** CIDRs allowed to delete alerts; default ['127.0.0.1', '::1'] */
  trustedIps?: string[];
  /** HTTPS; with caFile, client certificates whose OU is in bouncersAllowedOu / agentsAllowedOu authenticate */
  tls?: TlsFiles;
  /** background prune every minute */
  retention?: RetentionPolicy;
  /** register LAPI metrics here (else a new registry) */
  registry?: client.Registry;
  log?: (line: string) => void;
  /** clock (epoch ms) for request times and tokens; default Date.now (tests inject one) */
  clock?: () => number;
  /** JWT secret; default env CS_LAPI_SECRET (≥ 64 bytes) or random per start */
  env?: NodeJS.ProcessEnv;
  /** prepare the local CLI's machine and credentials file (ensureLocalCredentials) before announcing the URL */
  localCredentials?: boolean;
  /** serves /v1/allowlists* and drops allowlisted agent alerts (absent: no allowlists, routes 404) */
  allowlists?: AllowlistStore;
  /** stored alerts go to the notifications their matching profiles name (closed with the server) */
  notify?: AlertNotifyHook;
  /** told the ids of every stored alert (HTTP and in-process alike), e.g. the crowd client; must not throw */
  onStored?: (ids: number[]) => void;
  /** the web console, served under /ui; `ingest` is set once the LAPI listens */
  ui?: UiMount & { ingest: LapiServer['ingestAlerts'] | null };
}

export interface LapiServer {
  readonly url: string;
  readonly registry: client.Registry;
  /** the local CLI's machine (with `localCredentials`), its file written before 'listening' is logged */
  readonly credentials: { login: string; password: string; created: boolean } | null;
  /** in-process agent -> LAPI (same path as POST /v1/alerts, without HTTP): validates, applies profiles, stores */
  ingestAlerts(alerts: readonly AlertInput[], machineId: string): Promise<string[]>;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export async function startLapi(o: LapiOptions): Promise<LapiServer> {
  const log = o.log ?? (() => undefined);
  const now = o.clock ?? Date.now;
  const jwt = new JwtAuth(jwtSecretFromEnv(o.env ?? process.env));
  const registry = o.registry ?? new client.Registry();
  const metrics = new LapiMetrics({ registry, store: o.store, now });
  const apiKeys = new ApiKeyAuth(o.store, log);
  const tlsAuth = o.tls?.caFile ? new TlsClientAuth(o.store, apiKeys, o.tls, log) : null;
  const app = new LapiApp(o.store, now, apiKeys, jwt, metrics, o.profiles, o.trustedIps ?? ['127.0.0.1', '::1'], log);
  app.alertLog = o.alertLog ?? true;
  const protobuf = await loadProtobufCodec(log);

  const router = new Router();
  registerHealthRoutes(router, app);
  registerWatcherRoutes(router, app, tlsAuth);
  registerHeartbeatRoutes(router, app);
  registerAlertRoutes(router, app);
  registerDecisionRoutes(router, app, protobuf);
  registerStreamRoutes(router, app, protobuf);
  registerUsageMetricsRoutes(router, app);
  if (o.notify) app.notify = o.notify;
  if (o.onStored) app.onStored = o.onStored;
  if (o.allowlists) {
    app.allowlists = o.allowlists;
    registerAllowlistRoutes(router, o.allowlists);
  }

  const listener = await listen(createDispatcher(app, router, tlsAuth, o.ui ?? null), o.listen, o.tls);
  // a client started on the 'listening' line must find the credentials file (port 0: the URL is known only now)
  const credentials = o.localCredentials ? await ensureLocalCredentials(o.store, o.dataDir, listener.url) : null;
  log(`Local API listening on ${listener.url}`);

  let pruning: Promise<void> | null = null;
  const retention = o.retention;
  const allowlists = o.allowlists;
  const timer = retention
    ? setInterval(() => {
        if (pruning !== null) return;
        pruning = o.store
          .prune(retention, now())
          .then(
            (r) => {
              if (r.alerts > 0 || r.decisions > 0)
                log(`retention: removed ${r.alerts} alert(s), ${r.decisions} decision(s)`);
            },
            (e: Error) => {
              log(`retention failed: ${e.message}`);
            },
          )
          .then(() =>
            allowlists?.pruneExpired(now()).then(
              (n) => {
                if (n > 0) log(`retention: removed ${n} expired allowlist item(s)`);
              },
              (e: Error) => {
                log(`allowlist retention failed: ${e.message}`);
              },
            ),
          )
          .finally(() => {
            pruning = null;
          });
      }, PRUNE_EVERY_MS)
    : null;
  timer?.unref();

  if (o.ui) o.ui.ingest = async (alerts, machineId) => app.ingest(validateAlerts(alerts), machineId, now());
  let closed: Promise<void> | null = null;
  return {
    url: listener.url,
    registry,
    credentials,
    ingestAlerts: async (alerts, machineId) => app.ingest(validateAlerts(alerts), machineId, now()),
    close: () =>
      (closed ??= (async () => {
        if (timer) clearInterval(timer);
        await listener.close();
        if (pruning) await pruning;
        await apiKeys.settle();
        await app.machineWrites.settle();
        await o.notify?.close();
      })()),
  };
}
