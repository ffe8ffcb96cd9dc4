// The Local API side of `picket run`: starts the LAPI on the process's store (profiles, trusted IPs, TLS,
// retention from the config), prepares the local machine credentials, and hands the agent's alerts to it
// in-process (`LocalAlertSink`: micro-batches, no HTTP). For `--no-api`, builds the watcher that forwards
// alerts to a remote LAPI; and `--no-agent` (the LAPI and its metrics alone until SIGINT/SIGTERM).
// Owns: this wiring and the sinks' logging of failures (never silent).

import client from 'prom-client';
import { CliError, type CliIO } from './command.js';
import { startLapi, ensureLocalCredentials, type LapiServer } from '../lapi/index.js';
import { openLapiStore, DEFAULT_RETENTION, type LmdbLapiStore } from '../store/lapi-store.js';
import { defaultProfiles, loadProfilesFile, type Profile } from '../profiles/index.js';
import { openStore, type PicketStore } from '../store/lmdb.js';
import { acquireDaemonLock, type DaemonLock } from '../store/daemon-lock.js';
import { AllowlistStore } from '../store/allowlists.js';
import type { PicketConfig } from '../config/config.js';
import { credentialsPathOf, DEFAULT_NOTIFICATION_DIR } from '../config/defaults.js';
import { Notifier } from '../notifications/index.js';
import { startMetricsServer, type ListenAddr, type MetricsServer } from '../metrics/server.js';
import type { LapiAlertJSON } from '../api/alerts.js';
import { readCredentials, clientTlsOf, CredentialsError } from '../config/credentials.js';
import { WatcherClient } from '../client/watcher.js';
import { AlertForwarder } from '../client/forwarder.js';
import { ReportSchedule, registerReportSender } from '../report/schedule.js';
import { onReloadSignal, onStopSignal } from './signals.js';
import { errorMessage } from '../core/errors.js';
import { LevelLog, type LogLevel } from '../core/log-level.js';
import { CrowdReceiver } from '../capi/receive.js';
import type { CrowdService } from '../capi/service.js';
import { startCrowd } from './run-crowd.js';
import { listenConsole, planConsole } from './run-console.js';
import { configuredReportSender } from './report-notify.js';
import type { Listener } from '../lapi/server.js';

export interface LocalLapi {
  server: LapiServer;
  store: LmdbLapiStore;
  machineId: string;
  credentialsFile: string;
  /** the monthly report of the config's `report` (null: none) */
  reports: ReportSchedule | null;
  /** blocklist subscriptions and, with a central API, the community blocklist (src/capi/receive.ts) */
  receiver: CrowdReceiver;
  /** the crowd client (online_client; null: no central API) */
  crowd: CrowdService | null;
  /** the console's own listener (config console.listen; null: none, or under /ui of the LAPI) */
  console: Listener | null;
}

export function loadProfiles(file: string | undefined): Profile[] {
  try {
    return file ? loadProfilesFile(file) : defaultProfiles();
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
}

/**
 * SIGHUP (systemd's ExecReload=kill -HUP): the profiles file is read again and replaces the running profiles in
 * place (the LAPI reads the same array); an invalid file keeps the running ones, said with the error.
 */
export function reloadProfiles(running: Profile[], file: string | undefined, log: (line: string) => void): void {
  let next: Profile[];
  try {
    next = loadProfiles(file);
  } catch (e) {
    log(`SIGHUP: ERROR: ${(e as Error).message}; the running profiles stay`);
    return;
  }
  running.splice(0, running.length, ...next);
  log(
    `SIGHUP: profiles reloaded from ${file ?? "Picket's embedded default"} (${next.length} profile(s)); ` +
      'read positions kept; content and acquisition are not reloaded: restart to apply changes to them',
  );
}

/**
 * The notifications the profiles name, from the config's notification_dir (CrowdSec's format); null when no
 * profile names one. An unknown name or a bad notification file is a start-up error naming the file.
 */
export function loadNotifier(
  config: PicketConfig,
  profiles: Profile[],
  o: { registry?: client.Registry; log: (line: string) => void },
): Notifier | null {
  if (!profiles.some((p) => p.notifications.length > 0)) return null;
  try {
    const n = Notifier.load(config.notificationDir ?? DEFAULT_NOTIFICATION_DIR, { registry: o.registry, log: o.log });
    n.prepare(profiles);
    return n;
  } catch (e) {
    throw new CliError((e as Error).message, 1);
  }
}

/** starts the LAPI on `env`; a listen failure rejects (the caller decides whether that is fatal) */
export async function startLocalLapi(
  env: PicketStore,
  o: {
    listen: ListenAddr;
    config: PicketConfig;
    profiles: Profile[];
    registry?: client.Registry;
    log: (line: string) => void;
    alertLog?: boolean;
  },
): Promise<LocalLapi> {
  const report = o.config.report;
  const mailer = configuredReportSender(o.config);
  const notifier = loadNotifier(o.config, o.profiles, o);
  const store = openLapiStore(env, { log: o.log });
  const allowlists = new AllowlistStore(env);
  const retention = { ...DEFAULT_RETENTION, ...(o.config.retention ?? {}) };
  let crowd: CrowdService | null = null;
  const ui = planConsole(env, { lapiListen: o.listen, config: o.config, store, allowlists, retention, log: o.log });
  let server: LapiServer;
  try {
    server = await startLapi({
      store,
      listen: o.listen,
      dataDir: env.dir,
      profiles: o.profiles,
      trustedIps: o.config.trustedIps,
      tls: o.config.tls,
      retention,
      registry: o.registry,
      log: o.log,
      localCredentials: true,
      allowlists,
      alertLog: o.alertLog,
      onStored: (ids) => crowd?.offer(ids),
      ...(notifier ? { notify: notifier } : {}),
      ...(ui !== null && ui.own === null ? { ui: ui.handler } : {}),
    });
  } catch (e) {
    await notifier?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
  let consoleListener: Listener | null = null;
  if (ui?.own) {
    try {
      consoleListener = await listenConsole(ui, ui.own, o.config, server);
    } catch (e) {
      await server.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      throw new CliError(`console.listen ${ui.own.host}:${ui.own.port}: ${errorMessage(e)}`, 1);
    }
    o.log(`web console on ${consoleListener.url}ui/`);
  }
  const creds = server.credentials ?? (await ensureLocalCredentials(store, env.dir, server.url));
  try {
    crowd = await startCrowd({ env, store, config: o.config, retention, registry: o.registry, log: o.log });
  } catch (e) {
    await consoleListener?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
  if (mailer !== null) registerReportSender(mailer);
  const reports =
    report?.schedule === 'monthly'
      ? new ReportSchedule({ store: env, source: store, config: report, log: o.log }).start()
      : null;
  const receiver = new CrowdReceiver({ env, store, allowlists, registry: server.registry, log: o.log }).start();
  const oc = o.config.onlineClient;
  if (crowd && oc) {
    // the community blocklist and the central's lists come in through the crowd client's login
    const puller = receiver.startPuller(crowd.client, oc);
    crowd.add({ name: 'community pull', stop: () => puller.stop() });
  }
  return {
    server,
    store,
    machineId: creds.login,
    credentialsFile: credentialsPathOf(env.dir),
    reports,
    crowd,
    receiver,
    console: consoleListener,
  };
}

/** at most this many alerts wait for the LAPI to be attached / to finish the previous batch */
const LOCAL_QUEUE_MAX = 100_000;
const LOCAL_BATCH = 500;

/** Agent -> in-process LAPI: alerts are queued and ingested in batches, one batch at a time. */
export class LocalAlertSink {
  private pending: LapiAlertJSON[] = [];
  private target: { server: LapiServer; machineId: string } | null = null;
  private flushing: Promise<void> | null = null;
  readonly stats = { ingested: 0, failed: 0, dropped: 0 };

  constructor(private readonly log: (line: string) => void) {}

  push(a: LapiAlertJSON): void {
    if (this.pending.length >= LOCAL_QUEUE_MAX) {
      if (this.stats.dropped++ % 1000 === 0)
        this.log(`LAPI alert queue full: ${this.stats.dropped} alert(s) dropped so far`);
      return;
    }
    this.pending.push(a);
    this.kick();
  }

  attach(server: LapiServer, machineId: string): void {
    this.target = { server, machineId };
    this.kick();
  }

  private kick(): void {
    if (this.target && this.flushing === null && this.pending.length > 0)
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        this.kick();
      });
  }

  private async flush(): Promise<void> {
    const t = this.target;
    if (!t) return;
    // one event-loop turn gathers the alerts of a burst into one batch
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, LOCAL_BATCH);
      try {
        await t.server.ingestAlerts(batch, t.machineId);
        this.stats.ingested += batch.length;
      } catch (e) {
        this.stats.failed += batch.length;
        this.log(`Local API refused ${batch.length} alert(s): ${errorMessage(e)}`);
      }
    }
  }

  /** waits until every queued alert was handed to the LAPI; alerts of a sink never attached are reported */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length > 0) {
      this.stats.dropped += this.pending.length;
      this.log(`${this.pending.length} alert(s) not stored: the Local API is not running`);
      this.pending = [];
    }
  }
}

/** `--no-api`: a forwarder to the remote LAPI of the credentials file (URL overridden by --lapi) */
export function remoteForwarder(o: {
  credentialsFile: string | undefined;
  dataDir: string;
  lapiUrl: string | undefined;
  scenarios: string[];
  log: (line: string) => void;
  /** forwarder options (queue bound, heartbeat) */
  maxQueue?: number;
  heartbeatMs?: number;
}): { forwarder: AlertForwarder; client: WatcherClient; url: string } {
  const file = o.credentialsFile ?? credentialsPathOf(o.dataDir);
  let c;
  try {
    c = readCredentials(file);
  } catch (e) {
    if (e instanceof CredentialsError) throw new CliError(`--no-api needs machine credentials: ${e.message}`, 1);
    throw e;
  }
  const url = o.lapiUrl ?? c.url;
  let tls;
  try {
    tls = clientTlsOf({ ...c, url });
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
  const client = new WatcherClient({ url, machineId: c.login, password: c.password, scenarios: o.scenarios, tls });
  return {
    forwarder: new AlertForwarder(client, { log: o.log, maxQueue: o.maxQueue, heartbeatMs: o.heartbeatMs }),
    client,
    url,
  };
}

/** `--no-agent`: the LAPI (and its metrics) until SIGINT/SIGTERM */
export async function runLapiOnly(
  o: {
    dataDir: string;
    config: PicketConfig;
    profiles: Profile[];
    profilesFile?: string;
    lapiAddr: ListenAddr;
    metricsAddr: ListenAddr | null;
    /** below info: no per-alert lines */
    logLevel?: LogLevel;
  },
  io: CliIO,
): Promise<number> {
  let store: PicketStore;
  let lock: DaemonLock;
  try {
    store = openStore(o.dataDir);
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
  try {
    lock = acquireDaemonLock(store.dir);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw new CliError(errorMessage(e), 1);
  }
  const log = (m: string) => io.err(`picket run: ${m}`);
  const reg = new client.Registry();
  let lapi: LocalLapi;
  try {
    lapi = await startLocalLapi(store, {
      listen: o.lapiAddr,
      config: o.config,
      profiles: o.profiles,
      registry: reg,
      log,
      alertLog: new LevelLog(o.logLevel ?? 'info', log).enabled('info'),
    });
  } catch (e) {
    await store.close().catch(() => undefined);
    lock.release();
    throw new CliError(errorMessage(e), 1);
  }
  const signalled = onStopSignal();
  const stopReloading = onReloadSignal(() => reloadProfiles(o.profiles, o.profilesFile, log));
  io.err(`picket run: data folder ${store.dir}`);
  io.err(
    `picket run: Local API on ${lapi.server.url} (CLI credentials ${lapi.credentialsFile}, machine ${lapi.machineId})`,
  );
  let metricsServer: MetricsServer | null = null;
  if (o.metricsAddr) {
    try {
      metricsServer = await startMetricsServer(reg, o.metricsAddr);
      io.err(`picket run: metrics on ${metricsServer.url}`);
    } catch (e) {
      stopReloading();
      await lapi.reports?.stop();
      await lapi.receiver.stop();
      await lapi.console?.close();
      await lapi.server.close().catch(() => undefined);
      await lapi.crowd?.stop();
      await lapi.store.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      lock.release();
      throw new CliError(
        `metrics server on ${o.metricsAddr.host}:${o.metricsAddr.port} not started: ` +
          `${errorMessage(e)} (--metrics off: none)`,
        1,
      );
    }
  }
  const why = await signalled;
  stopReloading();
  if (metricsServer) await metricsServer.close().catch(() => undefined);
  await lapi.reports?.stop();
  await lapi.receiver.stop();
  await lapi.console?.close();
  await lapi.server.close().catch((e: Error) => io.err(`picket run: closing the Local API: ${e.message}`));
  await lapi.crowd?.stop();
  await lapi.store.close().catch((e: Error) => io.err(`picket run: closing the Local API store: ${e.message}`));
  await store.close().catch((e: Error) => io.err(`picket run: closing the store: ${e.message}`));
  lock.release();
  io.err(`picket run: stopped (${why})`);
  return 0;
}
