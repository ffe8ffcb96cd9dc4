// The agent side of `picket run`: reads the acquisition config (Picket's embedded default unless --acquis),
// tails file sources (files that do not exist yet are waited for), optionally reads stdin, syslog and
// journald, runs lines through the pipeline in LIVE mode (wall clock, periodic bucket ticks), prints alerts
// on stdout and hands each one to the in-process LAPI (or, with --no-api, to a remote LAPI as a watcher).
// Owns: source wiring, output lines, metrics wiring, and the clean stop on SIGINT/SIGTERM (sources,
// pipeline, alert delivery, LAPI, read positions, then the store).
// File read positions are kept in the LMDB store of the data folder: a checkpoint every 500 ms writes them
// once the pipeline processed the lines before them; SIGINT/SIGTERM checkpoint and sync first.
// Loaded by `picket run` only when the agent runs (`--no-agent` does not load the detection engine).

import fs from 'node:fs';
import type client from 'prom-client';
import { CliError, type CliIO } from './command.js';
import { DEFAULT_ACQUISITION, loadAcquisitionFile, parseAcquisition, type AcquisitionSource } from '../acquisition/config.js';
import { FileTailer, type FilePosition, type PositionStore } from '../acquisition/file-tail.js';
import { expandGlob } from '../acquisition/glob.js';
import { readStdinLines } from '../acquisition/stdin.js';
import { SyslogSource } from '../acquisition/syslog.js';
import { JournaldSource } from '../acquisition/journald.js';
import { createPipeline, type Pipeline } from '../pipeline/pool.js';
import type { LapiAlertJSON } from '../pipeline/alert-json.js';
import { openStore, type PicketStore } from '../store/lmdb.js';
import { LmdbPositionStore } from '../store/positions.js';
import { createAgentRegistry, type SourceHitRow } from '../metrics/registry.js';
import { startMetricsServer, type ListenAddr, type MetricsServer } from '../metrics/server.js';
import type { PicketConfig } from '../config/config.js';
import type { Profile } from '../profiles/index.js';
import { LocalAlertSink, remoteForwarder, startLocalLapi, type LocalLapi } from './run-lapi.js';
import type { AlertForwarder } from '../client/forwarder.js';
import type { WatcherClient } from '../client/watcher.js';

export interface AgentOptions {
  acquis?: string;
  stdin: boolean;
  type?: string;
  content?: string;
  fromStart: boolean;
  dumpLines?: string;
  workers?: number;
  /** ceiling on live buckets (--max-buckets / buckets.max_live) */
  maxBuckets?: number;
  pollMs: number;
  fmt: 'human' | 'json';
  dataDir: string;
  metricsAddr: ListenAddr | null;
  config: PicketConfig;
  /** the in-process LAPI (null with --no-api) */
  lapiAddr: ListenAddr | null;
  profiles: Profile[];
  /** --no-api: alerts go to the remote LAPI of the credentials file (url overridden by lapiUrl) */
  noApi: boolean;
  lapiUrl?: string;
  credentialsFile?: string;
}

/** thrown by the positions wrapper once stopping: ends the tailer's poll right after it saved its position */
class StoppingError extends Error {}

function humanLine(a: LapiAlertJSON): string {
  return `${a.stop_at} ${a.scenario} ${a.source.scope}:${a.source.value} ${a.events_count} events`;
}

export async function runAgent(o: AgentOptions, io: CliIO): Promise<number> {
  let sources: AcquisitionSource[];
  try {
    sources = o.acquis ? loadAcquisitionFile(o.acquis) : parseAcquisition(DEFAULT_ACQUISITION, '<embedded default acquisition>');
  } catch (e) { throw new CliError((e as Error).message, 1); }
  if (o.stdin) {
    if (!o.type) throw new CliError('--stdin needs --type TYPE');
    sources.push({ source: 'stdin', labels: { type: o.type } });
  } else if (o.type) throw new CliError('--type is only used with --stdin');

  // the store first: a bad data folder fails before the content is loaded
  const hasFiles = sources.some((s) => s.source === 'file');
  let store: PicketStore | null = null;
  let positions: LmdbPositionStore | null = null;
  let stopping = false;
  let dumpFd: number | null = null;
  if (o.dumpLines !== undefined) {
    try { dumpFd = fs.openSync(o.dumpLines, 'a'); } catch (e) {
      throw new CliError(`--dump-lines: ${(e as Error).message}`, 1);
    }
  }
  if (hasFiles || !o.noApi) {
    try {
      store = openStore(o.dataDir);
      if (hasFiles) positions = new LmdbPositionStore(store);
    } catch (e) {
      if (dumpFd !== null) fs.closeSync(dumpFd);
      throw new CliError((e as Error).message, 1);
    }
  }
  const log = (m: string) => io.err(`picket run: ${m}`);
  // where alerts go besides stdout: the in-process LAPI, or a remote one (--no-api)
  const localSink = o.noApi ? null : new LocalAlertSink(log);
  let remote: { forwarder: AlertForwarder; client: WatcherClient; url: string } | null = null;
  if (o.noApi) {
    try {
      remote = remoteForwarder({ credentialsFile: o.credentialsFile, dataDir: o.dataDir, lapiUrl: o.lapiUrl, scenarios: [], log });
    } catch (e) {
      if (store) await store.close().catch(() => undefined);
      if (dumpFd !== null) fs.closeSync(dumpFd);
      throw e;
    }
  }
  const print = o.fmt === 'json'
    ? (a: LapiAlertJSON) => io.out(JSON.stringify(a))
    : (a: LapiAlertJSON) => io.out(humanLine(a));
  const fwd = remote?.forwarder ?? null;
  const emit = localSink ? (a: LapiAlertJSON) => { print(a); localSink.push(a); }
    : fwd ? (a: LapiAlertJSON) => { print(a); fwd.push(a); }
    : print;
  let pipe: Pipeline;
  try {
    pipe = await createPipeline({
      contentDir: o.content ?? null, timeMachine: false, workers: o.workers, maxBuckets: o.maxBuckets, onAlert: emit,
      log: (m) => io.err(`warning: ${m}`),
    });
  } catch (e) {
    if (remote) { await remote.forwarder.close(0); await remote.client.close(); }
    if (store) await store.close().catch(() => undefined);
    if (dumpFd !== null) fs.closeSync(dumpFd);
    throw new CliError((e as Error).message, 1);
  }
  // the agent logs in with its scenario list, as CrowdSec's does
  remote?.client.setScenarios(pipe.content.scenarios.scenarios.map((sc) => sc.name));
  const pos = positions;
  // what the tailers see: once stopping, a set() (after lines were pushed) is recorded, then the tailer's
  // poll is ended by a throw, so it reads nothing more from descriptors that stop() closed
  const tailPositions: PositionStore | undefined = pos ? {
    get: (p: string) => pos.get(p),
    set: (p: string, v: FilePosition) => { pos.set(p, v); if (stopping) throw new StoppingError('stopping'); },
  } : undefined;
  const dump = dumpFd;
  // final: also when nothing is dirty, so it waits for a periodic checkpoint still in progress (serialised)
  const checkpoint = async (final: boolean): Promise<void> => {
    if (!pos || (!final && pos.dirty === 0)) return;
    const snap = await pos.checkpoint(() => pipe.drain());
    if (dump !== null) {
      let s = '';
      for (const [p, v] of snap) s += `#committed ${v.pos} ${p}\n`;
      if (s) fs.writeSync(dump, s);
    }
  };

  // lines read per file (cs_filesource_hits_total): one map update per batch of lines
  const fileCounts = new Map<string, { at: string; n: number }>();
  const fileHits = (at: string) => (src: string, n: number) => {
    const k = `${src}\u0000${at}`;
    const c = fileCounts.get(k);
    if (c) c.n += n; else fileCounts.set(k, { at, n });
  };
  const syslogs: Array<{ src: SyslogSource; at: string }> = [];
  const journals: Array<{ src: JournaldSource; at: string }> = [];
  const tailers: FileTailer[] = [];
  const listeners: Array<{ stop(): Promise<void> }> = [];
  let stdinDone: Promise<void> | null = null;
  const watched: string[] = [];
  for (const s of sources) {
    if (s.source === 'file') {
      const labels = s.labels;
      const hits = fileHits(labels.type ?? '');
      const t = new FileTailer({
        patterns: s.filenames, pollMs: o.pollMs, fromStart: o.fromStart, positions: tailPositions,
        // a backlog (written while the agent was stopped) is poured with the lines' own timestamps
        onLines: (src, lines, backlog) => {
          hits(src, lines.length);
          if (dump !== null) fs.writeSync(dump, lines.join('\n') + '\n');
          return pipe.push(lines, { src, module: 'file', labels, timeMachine: backlog || undefined });
        },
      });
      tailers.push(t);
      for (const f of s.filenames) {
        const n = expandGlob(f).length;
        watched.push(`${f} (type ${labels.type}${n === 0 ? ', waiting for it to appear' : f.match(/[*?[]/) ? `, ${n} files` : ''})`);
      }
    } else if (s.source === 'stdin') {
      const labels = s.labels;
      watched.push(`stdin (type ${labels.type})`);
      stdinDone = readStdinLines((lines) => pipe.push(lines, { src: 'stdin', module: 'stdin', labels })).then(() => undefined);
    } else if (s.source === 'syslog') {
      const labels = s.labels;
      const src = new SyslogSource(s, (from, lines) => pipe.push(lines, { src: from, module: 'syslog', labels }), { log: (m) => io.err(`picket run: syslog: ${m}`) });
      try {
        const ports = await src.start();
        listeners.push(src);
        syslogs.push({ src, at: labels.type ?? '' });
        watched.push(`syslog ${s.listenAddr} ${[ports.udpPort !== undefined ? `udp/${ports.udpPort}` : '', ports.tcpPort !== undefined ? `tcp/${ports.tcpPort}` : ''].filter(Boolean).join(' ')} (type ${labels.type})`);
      } catch (e) {
        io.err(`picket run: syslog source ${s.listenAddr}:${s.listenPort} not started: ${(e as Error).message}`);
      }
    } else if (s.source === 'journalctl') {
      const labels = s.labels;
      const src = new JournaldSource(s, (from, lines) => pipe.push(lines, { src: from, module: 'journalctl', labels }), { log: (m) => io.err(`picket run: journalctl: ${m}`) });
      try {
        await src.start();
        listeners.push(src);
        journals.push({ src, at: labels.type ?? '' });
        watched.push(`journalctl ${s.journalctlFilter.join(' ')} (type ${labels.type})`);
      } catch (e) {
        io.err(`picket run: journalctl source not started: ${(e as Error).message}`);
      }
    }
  }
  let metricsServer: MetricsServer | null = null;
  let reg: client.Registry | undefined;
  if (o.metricsAddr) {
    reg = createAgentRegistry({
      snapshot: () => pipe.metrics(),
      fileSourceHits: () => [...fileCounts].map(([k, c]): SourceHitRow => [k.slice(0, k.indexOf('\u0000')), 'file', c.at, c.n]),
      journalctlSourceHits: journals.length ? () => journals.map((j): SourceHitRow => [j.src.src, 'journalctl', j.at, j.src.stats.hits]) : undefined,
      syslogSourceHits: syslogs.length ? () => syslogs.flatMap((l) => Object.entries(l.src.stats.bySource).map(([c, st]): SourceHitRow => [c, 'syslog', l.at, st.hits])) : undefined,
      syslogSourceParsed: syslogs.length ? () => syslogs.flatMap((l) => Object.entries(l.src.stats.bySource).flatMap(([c, st]) =>
        (['RFC3164', 'RFC5424'] as const).filter((t) => st[t] > 0).map((t): [string, string, string, string, number] => [c, t, 'syslog', l.at, st[t]]))) : undefined,
      syslogDropped: syslogs.length ? () => syslogs.reduce((a, l) => a + l.src.stats.dropped, 0) : undefined,
      queueDepth: () => pipe.queueDepth(),
      workerUtilization: pipe.workers > 0 ? () => pipe.utilization() : undefined,
    });
  }
  // the LAPI registers its metrics into the agent's registry: one /metrics with both
  let lapi: LocalLapi | null = null;
  if (localSink && store && o.lapiAddr) {
    try {
      lapi = await startLocalLapi(store, { listen: o.lapiAddr, config: o.config, profiles: o.profiles, registry: reg, log });
      localSink.attach(lapi.server, lapi.machineId);
      io.err(`picket run: Local API on ${lapi.server.url} (CLI credentials ${lapi.credentialsFile}, machine ${lapi.machineId})`);
    } catch (e) {
      // the agent still runs and prints alerts (e.g. the port is taken): said loudly, alerts counted at stop
      io.err(`picket run: ERROR: Local API on ${o.lapiAddr.host}:${o.lapiAddr.port} not started: ${(e as Error).message}; alerts are only printed`);
    }
  }
  if (remote) io.err(`picket run: sending alerts to the Local API at ${remote.url} (--no-api)`);
  // "watching" is said once the LAPI is up: the tailers start right after (tests append lines then)
  io.err(`picket run: content ${pipe.content.origin}, ${pipe.content.scenarios.scenarios.length} scenarios, ${pipe.workers === 0 ? 'in-process' : `${pipe.workers} workers`}`);
  if (store) io.err(`picket run: data folder ${store.dir}`);
  io.err(`picket run: watching ${watched.length ? watched.join(', ') : 'nothing'}`);
  for (const w of pipe.content.warnings.slice(0, 10)) io.err(`warning: ${w}`);
  if (o.metricsAddr && reg) {
    try {
      metricsServer = await startMetricsServer(reg, o.metricsAddr);
      io.err(`picket run: metrics on ${metricsServer.url}`);
    } catch (e) {
      // the agent still runs (e.g. port 6060 taken by another agent): said once, loudly
      io.err(`picket run: metrics server on ${o.metricsAddr.host}:${o.metricsAddr.port} not started: ${(e as Error).message}`);
    }
  }
  for (const t of tailers) t.start();

  const ticker = setInterval(() => { pipe.tick().catch((e: Error) => io.err(`picket run: ${e.message}`)); }, 1000);
  // the first as soon as lines were read (a backlog read at start is not read again after a crash), then every
  // half second: at most about one second of input is read again after a crash
  let lastCheckpoint = 0;
  const checkpointer = pos ? setInterval(() => {
    if (pos.dirty === 0 || (lastCheckpoint !== 0 && Date.now() - lastCheckpoint < 500)) return;
    lastCheckpoint = Date.now();
    checkpoint(false).catch((e: Error) => io.err(`picket run: saving read positions: ${e.message}`));
  }, 100) : null;
  const stopped = new Promise<string>((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
    if (stdinDone && tailers.length === 0) stdinDone.then(() => resolve('end of input'), () => resolve('stdin error'));
  });
  const why = await stopped;
  clearInterval(ticker);
  if (checkpointer) clearInterval(checkpointer);
  stopping = true;
  if (metricsServer) await metricsServer.close().catch(() => undefined);
  for (const t of tailers) t.stop();
  await Promise.all(listeners.map((l) => l.stop().catch(() => undefined)));
  if (stdinDone && why !== 'end of input') process.stdin.destroy();
  await pipe.drain().catch(() => undefined);
  // a tailer waiting on back-pressure resumes after the drain, records its position and stops
  await new Promise<void>((r) => setImmediate(r));
  // every alert of the drained pipeline is delivered before the LAPI and the store close
  if (localSink) await localSink.drain();
  if (remote) {
    const st = await remote.forwarder.close(5000);
    await remote.client.close();
    io.err(`picket run: alerts to ${remote.url}: ${st.sent} sent, ${st.dropped} dropped, ${st.rejected} refused`);
  }
  if (localSink) io.err(`picket run: alerts to the Local API: ${localSink.stats.ingested} stored, ${localSink.stats.failed} refused, ${localSink.stats.dropped} dropped`);
  if (lapi) {
    await lapi.server.close().catch((e: Error) => io.err(`picket run: closing the Local API: ${e.message}`));
    await lapi.store.close().catch((e: Error) => io.err(`picket run: closing the Local API store: ${e.message}`));
  }
  if (store) {
    try {
      await checkpoint(true);
      await store.close();
    } catch (e) { io.err(`picket run: saving read positions in ${store.dir}: ${(e as Error).message}`); }
  }
  if (dump !== null) fs.closeSync(dump);
  const c = await pipe.counters().catch(() => null);
  await pipe.close();
  if (c) {
    let lines = 0;
    for (const v of Object.values(c.lines)) lines += v;
    let alerts = 0;
    for (const v of Object.values(c.alerts)) alerts += v;
    io.err(`picket run: stopped (${why}): ${lines} lines, ${c.parsed} parsed, ${c.unparsed} unparsed, ${alerts} alerts`);
  }
  return 0;
}
