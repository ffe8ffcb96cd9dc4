// The agent side of `picket run`: reads the acquisition config (Picket's embedded default unless --acquis),
// starts every configured source through the acquisition registry (files that do not exist yet are waited
// for), runs lines through the pipeline in LIVE mode (wall clock, periodic bucket ticks), prints alerts on
// stdout and hands each one to the in-process LAPI (or, with --no-api, to a remote LAPI as a watcher).
// Owns: the wiring steps (outputs, pipeline, sources, metrics, LAPI, announce, stop) and the clean stop on
// SIGINT/SIGTERM (sources, pipeline, alert delivery, LAPI, read positions, then the store), whose release
// of outputs is written once (AgentRun.release) for both a failed start and the final stop.
// File read positions are kept in the LMDB store of the data folder: a checkpoint every 500 ms writes them
// once the pipeline processed the lines before them; SIGINT/SIGTERM checkpoint and sync first.
// Loaded by `picket run` only when the agent runs (`--no-agent` does not load the detection engine).

import fs from 'node:fs';
import type client from 'prom-client';
import { CliError, type CliIO } from './command.js';
import {
  DEFAULT_ACQUISITION,
  loadAcquisitionPaths,
  parseAcquisition,
  type AcquisitionSource,
} from '../acquisition/config.js';
import type { FilePosition, PositionStore } from '../acquisition/file/tail.js';
import type { CounterDef, DataSource, SourceContext } from '../acquisition/source.js';
import { sourceModule, sourceNames } from '../acquisition/sources.js';
import { createPipeline, type Pipeline } from '../pipeline/pool.js';
import { unknownTypeWarnings } from '../pipeline/known-types.js';
import type { LapiAlertJSON } from '../api/alerts.js';
import { openStore, type PicketStore } from '../store/lmdb.js';
import { acquireDaemonLock, type DaemonLock } from '../store/daemon-lock.js';
import { LmdbPositionStore } from '../store/positions.js';
import { createAgentRegistry } from '../metrics/registry.js';
import { summaryLine, totalsOf } from './run-summary.js';
import { startMetricsServer, type ListenAddr, type MetricsServer } from '../metrics/server.js';
import type { PicketConfig } from '../config/config.js';
import type { Profile } from '../profiles/index.js';
import {
  LocalAlertSink,
  loadProfiles,
  reloadProfiles,
  remoteForwarder,
  startLocalLapi,
  type LocalLapi,
} from './run-lapi.js';
import { reloadAgent, type ReloadTarget } from './run-reload.js';
import { onReloadSignal, onStopSignal } from './signals.js';
import type { AlertForwarder } from '../client/forwarder.js';
import type { WatcherClient } from '../client/watcher.js';
import { LevelLog, type LogLevel } from '../core/log-level.js';
import { errorMessage, PicketError } from '../core/errors.js';
import { simulationSwitch } from './simulation-file.js';
import { contextSpecOf } from './context-file.js';
import { compileTransforms, sourceContext } from './source-keys.js';
import type { LineTransform } from '../pipeline/transform.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';

export interface AgentOptions {
  /** acquisition files and acquis.d/ folders (--acquis, repeatable; else the config's acquisition_path/_dir) */
  acquis?: string[];
  stdin: boolean;
  type?: string;
  content?: string;
  /** with content from a config's config_dir: its data_dir (`data:` files) and hub_dir (alert versions) */
  contentDataDir?: string;
  hubDir?: string;
  /** acquisition files of a CrowdSec config (acquisition_path + acquisition_dir), when no --acquis */
  acquisFiles?: string[];
  fromStart: boolean;
  dumpLines?: string;
  workers?: number;
  /** ceiling on live buckets (--max-buckets / buckets.max_live) */
  maxBuckets?: number;
  /** reverse DNS settings (rdns-options.ts; null: off) */
  rdns?: Partial<RdnsOptions> | null;
  pollMs: number;
  fmt: 'human' | 'json';
  dataDir: string;
  metricsAddr: ListenAddr | null;
  config: PicketConfig;
  /** the in-process LAPI (null with --no-api) */
  lapiAddr: ListenAddr | null;
  profiles: Profile[];
  /** where the profiles come from (reloaded on SIGHUP; undefined: the embedded default) */
  profilesFile?: string;
  /** --no-api: alerts go to the remote LAPI of the credentials file (url overridden by lapiUrl) */
  noApi: boolean;
  lapiUrl?: string;
  credentialsFile?: string;
  /** throughput summary period (0 or absent: none) */
  summaryMs?: number;
  /** log_level (src/core/log-level.ts; default info): below info no per-alert, file event or summary lines */
  logLevel?: LogLevel;
}

/** thrown by the positions wrapper once stopping: ends the tailer's poll right after it saved its position */
class StoppingError extends PicketError {
  constructor() {
    super('AGENT_STOPPING', 'stopping');
  }
}

function humanLine(a: LapiAlertJSON): string {
  return `${a.stop_at} ${a.scenario} ${a.source.scope}:${a.source.value} ${a.events_count} events`;
}

/** The acquisition documents, plus `--stdin --type T`. */
function readSources(o: AgentOptions): AcquisitionSource[] {
  let sources: AcquisitionSource[];
  try {
    // --acquis (files and acquis.d/ folders), else the config's acquisition_path/_dir (Picket's keys, or
    // CrowdSec's config.yaml: acquisFiles), else the embedded default
    const paths = o.acquis?.length
      ? o.acquis
      : [o.config.acquisitionPath, o.config.acquisitionDir, ...(o.acquisFiles ?? [])].filter(
          (p): p is string => p !== undefined,
        );
    sources = paths.length
      ? loadAcquisitionPaths(paths)
      : parseAcquisition(DEFAULT_ACQUISITION, '<embedded default acquisition>');
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
  if (o.stdin) {
    if (!o.type) throw new CliError('--stdin needs --type TYPE');
    sources.push({ source: 'stdin', labels: { type: o.type } });
  } else if (o.type) throw new CliError('--type is only used with --stdin');
  return sources;
}

/** One run of the agent: what it opened, in the order it opened it. */
class AgentRun {
  store: PicketStore | null = null;
  lock: DaemonLock | null = null;
  positions: LmdbPositionStore | null = null;
  dumpFd: number | null = null;
  localSink: LocalAlertSink | null = null;
  remote: { forwarder: AlertForwarder; client: WatcherClient; url: string } | null = null;
  pipe!: Pipeline;
  sources: DataSource[] = [];
  /** modules with a started source (their counters are registered) */
  readonly kinds = new Set<string>();
  registry: client.Registry | undefined;
  metricsServer: MetricsServer | null = null;
  lapi: LocalLapi | null = null;
  /** listening for stop signals from before the LAPI announces itself (./signals.ts) */
  readonly signalled: Promise<string> = onStopSignal();
  /** SIGHUP reloads content, acquisition and profiles (./run-reload.ts), one reload at a time; listened to from
   *  the start (the default action would kill the daemon); before the agent runs, only the profiles */
  readonly stopReloading = onReloadSignal(() => {
    if (!this.running) {
      if (this.lapi) reloadProfiles(this.o.profiles, this.o.profilesFile, this.log);
      return;
    }
    this.reloading = this.reloading.then(() => reloadAgent(this.reloadTarget()));
  });
  /** set once the sources run (announce); a reload in progress (stop waits for it) */
  running = false;
  reloading: Promise<void> = Promise.resolve();
  stopping = false;
  /** alerts that could not be delivered (dropped or refused): a non-zero exit */
  lost = 0;
  readonly log = (m: string): void => this.io.err(`picket run: ${m}`);
  /** the lines log_level filters (info, debug, trace); `log` above is for the lines always written */
  readonly levels: LevelLog;
  /** a warning (content, pipeline), written from log_level warn */
  readonly warn = (m: string): void => {
    if (this.levels.enabled('warn')) this.io.err(`warning: ${m}`);
  };

  constructor(
    readonly o: AgentOptions,
    readonly io: CliIO,
  ) {
    this.levels = new LevelLog(o.logLevel ?? 'info', this.log);
  }

  /** --dump-lines, the store (a bad data folder fails before the content is loaded), the alert outputs. */
  openOutputs(hasFiles: boolean): void {
    const o = this.o;
    if (o.dumpLines !== undefined) {
      try {
        this.dumpFd = fs.openSync(o.dumpLines, 'a');
      } catch (e) {
        throw new CliError(`--dump-lines: ${errorMessage(e)}`, 1);
      }
    }
    if (hasFiles || !o.noApi) {
      try {
        this.store = openStore(o.dataDir);
        this.lock = acquireDaemonLock(this.store.dir);
        if (hasFiles) this.positions = new LmdbPositionStore(this.store);
      } catch (e) {
        throw new CliError(errorMessage(e), 1);
      }
    }
    // where alerts go besides stdout: the in-process LAPI, or a remote one (--no-api)
    if (!o.noApi) this.localSink = new LocalAlertSink(this.log);
    else {
      this.remote = remoteForwarder({
        credentialsFile: o.credentialsFile,
        dataDir: o.dataDir,
        lapiUrl: o.lapiUrl,
        scenarios: [],
        log: this.log,
      });
    }
  }

  async openPipeline(): Promise<void> {
    try {
      this.pipe = await this.newPipeline();
    } catch (e) {
      throw new CliError(errorMessage(e), 1);
    }
    // the agent logs in with its scenario list, as CrowdSec's does
    this.remote?.client.setScenarios(this.pipe.content.scenarios.scenarios.map((sc) => sc.name));
  }

  /** a pipeline on the content, its alerts printed and sent to the LAPI (at start and on SIGHUP) */
  private newPipeline(): Promise<Pipeline> {
    const print =
      this.o.fmt === 'json'
        ? (a: LapiAlertJSON) => this.io.out(JSON.stringify(a))
        : (a: LapiAlertJSON) => this.io.out(humanLine(a));
    const sink = this.localSink ?? this.remote?.forwarder ?? null;
    const emit = sink
      ? (a: LapiAlertJSON) => {
          print(a);
          sink.push(a);
        }
      : print;
    return createPipeline({
      contentDir: this.o.content ?? null,
      contentDataDir: this.o.contentDataDir,
      hubDir: this.o.hubDir,
      timeMachine: false,
      workers: this.o.workers,
      maxBuckets: this.o.maxBuckets,
      rdns: this.o.rdns ?? null,
      onAlert: emit,
      simulation: simulationSwitch(this.o.config.simulationPath),
      context: contextSpecOf(this.o.config),
      log: this.warn,
    });
  }

  /** the steps of a SIGHUP reload */
  private reloadTarget(): ReloadTarget {
    const o = this.o;
    return {
      readSources: () => {
        const configs = readSources({ ...o, stdin: false, type: undefined });
        compileTransforms(configs); // a bad transform is refused here, before anything stops
        return configs;
      },
      loadProfiles: () => (this.lapi ? loadProfiles(o.profilesFile) : null),
      buildPipeline: () => this.newPipeline(),
      swap: (next, sources) => this.swap(next, sources),
      applyProfiles: (p) => o.profiles.splice(0, o.profiles.length, ...p),
      profilesOrigin: o.profilesFile ?? "Picket's embedded default",
      log: this.log,
    };
  }

  /** SIGHUP: sources but stdin stopped (their positions recorded: the positions wrapper ends their poll), the
   *  old pipeline drained and closed, the new sources started on the new one; checkpoints wait meanwhile */
  private async swap(next: Pipeline, configs: AcquisitionSource[]): Promise<string[]> {
    // checked by readSources already: compiling again cannot throw here
    const transforms = compileTransforms(configs);
    const keep = this.sources.filter((s) => s.name === 'stdin source');
    const old = this.sources.filter((s) => !keep.includes(s));
    this.stopping = true;
    try {
      await Promise.all(old.map((s) => s.stop().catch(() => undefined)));
      await this.pipe.drain().catch(() => undefined);
      await new Promise<void>((r) => setImmediate(r));
    } finally {
      this.stopping = false;
    }
    const prev = this.pipe;
    this.pipe = next;
    await prev.close().catch((e: unknown) => this.log(`closing the previous pipeline: ${errorMessage(e)}`));
    this.sources = [...keep];
    const watched = await this.startSources(configs, transforms);
    for (const s of this.sources) if (!keep.includes(s)) s.run();
    return [...keep.map((s) => s.describe()), ...watched];
  }

  /** What the tailers see: once stopping, a set() (after lines were pushed) is recorded, then the tailer's
   *  poll is ended by a throw, so it reads nothing more from descriptors that stop() closed. */
  private tailPositions(): PositionStore | undefined {
    const pos = this.positions;
    return pos
      ? {
          get: (p: string) => pos.get(p),
          set: (p: string, v: FilePosition) => {
            pos.set(p, v);
            if (this.stopping) throw new StoppingError();
          },
        }
      : undefined;
  }

  /** Creates and starts every source; one that cannot start is said and left out (the agent runs on). */
  async startSources(
    configs: AcquisitionSource[],
    transforms: Map<AcquisitionSource, LineTransform>,
  ): Promise<string[]> {
    const dump = this.dumpFd;
    const trace = this.levels.enabled('trace') ? this.levels.trace : null;
    const ctx: SourceContext = {
      push: trace
        ? (lines, meta) => {
            for (const l of lines) trace(`line from ${meta.module}:${meta.src}: ${l}`);
            return this.pipe.push(lines, meta);
          }
        : (lines, meta) => this.pipe.push(lines, meta),
      log: this.log,
      info: this.levels.info,
      pollMs: this.o.pollMs,
      fromStart: this.o.fromStart,
      positions: this.tailPositions(),
      dump:
        dump === null
          ? undefined
          : (lines) => {
              fs.writeSync(dump, lines.join('\n') + '\n');
            },
    };
    const watched: string[] = [];
    for (const cfg of configs) {
      const src = sourceModule(cfg.source)!.create(cfg, sourceContext(ctx, cfg, transforms.get(cfg)));
      try {
        await src.start();
      } catch (e) {
        this.log(`${src.name} not started: ${errorMessage(e)}`);
        continue;
      }
      this.sources.push(src);
      this.kinds.add(cfg.source);
      watched.push(src.describe());
    }
    return watched;
  }

  /** The agent's registry (parsers, buckets, the started sources' counters); served after the announce. */
  wireMetrics(): void {
    if (!this.o.metricsAddr) return;
    const defs: CounterDef[] = sourceNames()
      .filter((n) => this.kinds.has(n))
      .flatMap((n) => sourceModule(n)!.counters);
    // the pipeline read at each scrape: a SIGHUP replaces it
    this.registry = createAgentRegistry({
      snapshot: () => this.pipe.metrics(),
      sources: { defs, rows: () => this.sources.flatMap((s) => s.counters()) },
      queueDepth: () => this.pipe.queueDepth(),
      workerUtilization: this.pipe.workers > 0 ? () => this.pipe.utilization() : undefined,
    });
  }

  /** The in-process LAPI registers its metrics into the agent's registry: one /metrics with both. */
  async startLapi(): Promise<void> {
    const o = this.o;
    if (!this.localSink || !this.store || !o.lapiAddr) return;
    try {
      this.lapi = await startLocalLapi(this.store, {
        listen: o.lapiAddr,
        config: o.config,
        profiles: o.profiles,
        registry: this.registry,
        log: this.log,
        alertLog: this.levels.enabled('info'),
      });
      this.localSink.attach(this.lapi.server, this.lapi.machineId);
      this.log(
        `Local API on ${this.lapi.server.url} (CLI credentials ${this.lapi.credentialsFile}, ` +
          `machine ${this.lapi.machineId})`,
      );
    } catch (e) {
      // fatal: a detect-only daemon would drop every alert (e.g. CrowdSec still holds the port)
      throw new CliError(`Local API on ${o.lapiAddr.host}:${o.lapiAddr.port} not started: ${errorMessage(e)}`, 1);
    }
  }

  /** The metrics server; an address that cannot be bound is fatal (the operator asked for metrics). */
  async startMetrics(): Promise<void> {
    const o = this.o;
    if (!o.metricsAddr || !this.registry) return;
    try {
      this.metricsServer = await startMetricsServer(this.registry, o.metricsAddr);
    } catch (e) {
      throw new CliError(
        `metrics server on ${o.metricsAddr.host}:${o.metricsAddr.port} not started: ` +
          `${errorMessage(e)} (--metrics off: none)`,
        1,
      );
    }
  }

  /** A start that failed after the sources and the pipeline were created: everything closed, nothing said. */
  async abort(): Promise<void> {
    this.stopping = true;
    if (this.metricsServer) await this.metricsServer.close().catch(() => undefined);
    await Promise.all(this.sources.map((s) => s.stop().catch(() => undefined)));
    await this.release(false);
    await this.pipe.close().catch(() => undefined);
  }

  /** "watching" is said once the LAPI is up: the tailers start right after (tests append lines then). */
  async announce(watched: string[]): Promise<void> {
    const { pipe } = this;
    if (this.remote) this.log(`sending alerts to the Local API at ${this.remote.url} (--no-api)`);
    const mode = pipe.workers === 0 ? 'in-process' : `${pipe.workers} workers`;
    this.log(`content ${pipe.content.origin}, ${pipe.content.scenarios.scenarios.length} scenarios, ${mode}`);
    if (this.store) this.log(`data folder ${this.store.dir}`);
    this.log(`watching ${watched.length ? watched.join(', ') : 'nothing'}`);
    for (const w of pipe.content.warnings.slice(0, 10)) this.warn(w);
    const c = this.o.config;
    this.levels.debug(
      `log level ${this.levels.level}; config ${c.file ?? '(none)'}${c.format === 'crowdsec' ? " (CrowdSec's)" : ''}; ` +
        `read positions ${this.positions ? `kept in ${this.store?.dir}` : 'not kept'}`,
    );
    if (this.metricsServer) this.log(`metrics on ${this.metricsServer.url}`);
    for (const s of this.sources) s.run();
    this.running = true;
  }

  /** Final: also when nothing is dirty, so it waits for a periodic checkpoint still in progress (serialised). */
  async checkpoint(final: boolean): Promise<void> {
    const pos = this.positions;
    if (!pos || (!final && pos.dirty === 0)) return;
    const snap = await pos.checkpoint(() => this.pipe.drain());
    if (snap.size > 0)
      this.levels.debug(`read positions saved: ${[...snap].map(([p, v]) => `${p}@${v.pos}`).join(', ')}`);
    if (this.dumpFd !== null) {
      let s = '';
      for (const [p, v] of snap) s += `#committed ${v.pos} ${p}\n`;
      if (s) fs.writeSync(this.dumpFd, s);
    }
  }

  /** Ticks and checkpoints every second until SIGINT/SIGTERM, or the end of a finite input (stdin) when no
   *  source follows files. Returns why it stopped. */
  async runUntilStopped(): Promise<string> {
    const ticker = setInterval(() => {
      this.pipe.tick().catch((e: unknown) => this.log(errorMessage(e)));
    }, 1000);
    const summaryMs = this.levels.enabled('info') ? (this.o.summaryMs ?? 0) : 0;
    let last = { at: Date.now(), totals: { lines: 0, parsed: 0, unparsed: 0, alerts: 0 } };
    const summarizer =
      summaryMs > 0
        ? setInterval(() => {
            this.pipe.counters().then(
              (c) => {
                const now = { at: Date.now(), totals: totalsOf(c) };
                this.levels.info(summaryLine(last.totals, now.totals, (now.at - last.at) / 1000));
                last = now;
              },
              (e: unknown) => this.log(`summary: ${errorMessage(e)}`),
            );
          }, summaryMs)
        : null;
    // the first as soon as lines were read (a backlog read at start is not read again after a crash), then every
    // half second: at most about one second of input is read again after a crash
    let lastCheckpoint = 0;
    const pos = this.positions;
    const checkpointer = pos
      ? setInterval(() => {
          if (pos.dirty === 0 || (lastCheckpoint !== 0 && Date.now() - lastCheckpoint < 500) || this.stopping) return;
          lastCheckpoint = Date.now();
          this.checkpoint(false).catch((e: unknown) => this.log(`saving read positions: ${errorMessage(e)}`));
        }, 100)
      : null;
    const why = await new Promise<string>((resolve) => {
      void this.signalled.then(resolve);
      const ends = this.sources.flatMap((s) => (s.ended ? [s.ended] : []));
      if (ends.length && !this.sources.some((s) => s.follows)) {
        Promise.all(ends).then(
          () => resolve('end of input'),
          () => resolve('stdin error'),
        );
      }
    });
    this.stopReloading();
    clearInterval(ticker);
    if (summarizer) clearInterval(summarizer);
    if (checkpointer) clearInterval(checkpointer);
    return why;
  }

  /** Sources, then the pipeline, then every alert delivered, then the outputs; prints the run's counters. */
  async stop(why: string): Promise<void> {
    await this.reloading;
    this.stopping = true;
    if (this.metricsServer) await this.metricsServer.close().catch(() => undefined);
    await Promise.all(this.sources.map((s) => s.stop().catch(() => undefined)));
    await this.pipe.drain().catch(() => undefined);
    // overflows still waiting for a reverse DNS answer (bounded by its timeout) are handled and delivered
    await this.pipe.settle().catch(() => undefined);
    // a tailer waiting on back-pressure resumes after the drain, records its position and stops
    await new Promise<void>((r) => setImmediate(r));
    // every alert of the drained pipeline is delivered before the LAPI and the store close
    if (this.localSink) await this.localSink.drain();
    await this.release(true);
    const c = await this.pipe.counters().catch(() => null);
    await this.pipe.close();
    if (c) {
      let lines = 0;
      for (const v of Object.values(c.lines)) lines += v;
      let alerts = 0;
      for (const v of Object.values(c.alerts)) alerts += v;
      this.log(`stopped (${why}): ${lines} lines, ${c.parsed} parsed, ${c.unparsed} unparsed, ${alerts} alerts`);
    }
  }

  /** Closes the outputs opened so far: after a failed start (final=false: nothing waited for, nothing said)
   *  or at the final stop (alerts flushed, counts said, read positions checkpointed). */
  async release(final: boolean): Promise<void> {
    const { remote, localSink, lapi, store } = this;
    if (remote) {
      const st = await remote.forwarder.close(final ? 5000 : 0);
      await remote.client.close();
      if (final) this.log(`alerts to ${remote.url}: ${st.sent} sent, ${st.dropped} dropped, ${st.rejected} refused`);
      this.lost += st.dropped + st.rejected;
    }
    if (final && localSink) {
      const st = localSink.stats;
      this.log(`alerts to the Local API: ${st.ingested} stored, ${st.failed} refused, ${st.dropped} dropped`);
      this.lost += st.failed + st.dropped;
    }
    if (lapi) {
      await lapi.reports?.stop();
      await lapi.receiver.stop();
      await lapi.console?.close();
      await lapi.server.close().catch((e: unknown) => this.log(`closing the Local API: ${errorMessage(e)}`));
      await lapi.crowd?.stop();
      await lapi.store.close().catch((e: unknown) => this.log(`closing the Local API store: ${errorMessage(e)}`));
    }
    if (store && !final) await store.close().catch(() => undefined);
    if (store && final) {
      try {
        await this.checkpoint(true);
        await store.close();
      } catch (e) {
        this.log(`saving read positions in ${store.dir}: ${errorMessage(e)}`);
      }
    }
    if (this.dumpFd !== null) fs.closeSync(this.dumpFd);
    this.lock?.release();
  }
}

export async function runAgent(o: AgentOptions, io: CliIO): Promise<number> {
  const configs = readSources(o);
  const transforms = compileTransforms(configs);
  const run = new AgentRun(o, io);
  try {
    run.openOutputs(configs.some((s) => s.source === 'file'));
    await run.openPipeline();
  } catch (e) {
    await run.release(false);
    throw e;
  }
  // a type no parser accepts (`--type sylog`): said at start with the known ones, lines are read anyway
  const types = configs.flatMap((c) => (c.labels.type ? [c.labels.type] : []));
  for (const w of unknownTypeWarnings(run.pipe.content.parsers, types)) run.log(`ERROR: ${w}`);
  const watched = await run.startSources(configs, transforms);
  run.wireMetrics();
  try {
    await run.startLapi();
    await run.startMetrics();
  } catch (e) {
    await run.abort();
    throw e;
  }
  await run.announce(watched);
  const why = await run.runUntilStopped();
  await run.stop(why);
  if (run.lost > 0) {
    run.log(`ERROR: ${run.lost} alert(s) were not delivered: exit status 1`);
    return 1;
  }
  return 0;
}
