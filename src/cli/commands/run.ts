// `picket run`: the agent and the Local API in one process, like CrowdSec. The agent reads the acquisition
// config (Picket's embedded default unless --acquis), tails file sources (files that do not exist yet are
// waited for), optionally reads stdin, runs lines through the pipeline in LIVE mode (wall clock, periodic
// bucket ticks) and prints alerts on stdout; each alert also goes to the LAPI started on --listen in the
// same process (in-process, no HTTP), which turns it into decisions for bouncers. `--no-api`: no LAPI, alerts
// go to a remote LAPI as a watcher; `--no-agent`: LAPI only. Owns: option handling, source wiring, output
// lines, clean stop on SIGINT/SIGTERM (sources, pipeline, alert delivery, LAPI, then the store).
// The store of the data folder (--data, default in src/config/defaults.ts) is opened once: file read
// positions (a checkpoint every second writes them once the pipeline processed the lines before them;
// SIGINT/SIGTERM checkpoint and sync first) and the LAPI share its environment.

import fs from 'node:fs';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { DEFAULT_ACQUISITION, loadAcquisitionFile, parseAcquisition, type AcquisitionSource } from '../../acquisition/config.js';
import { FileTailer } from '../../acquisition/file-tail.js';
import { expandGlob } from '../../acquisition/glob.js';
import { readStdinLines } from '../../acquisition/stdin.js';
import { SyslogSource } from '../../acquisition/syslog.js';
import { JournaldSource } from '../../acquisition/journald.js';
import { createPipeline, defaultWorkers, type Pipeline } from '../../pipeline/pool.js';
import type { LapiAlertJSON } from '../../pipeline/alert-json.js';
import { openStore, type PicketStore } from '../../store/lmdb.js';
import { LmdbPositionStore } from '../../store/positions.js';
import type { FilePosition, PositionStore } from '../../acquisition/file-tail.js';
import { createAgentRegistry, type SourceHitRow } from '../../metrics/registry.js';
import { parseListenAddr, startMetricsServer, type ListenAddr, type MetricsServer } from '../../metrics/server.js';
import client from 'prom-client';
import { resolveConfig, ConfigError, type PicketConfig } from '../../config/config.js';
import { DEFAULT_DATA_DIR, DEFAULT_LAPI_LISTEN, DEFAULT_METRICS_LISTEN } from '../../config/defaults.js';
import { LocalAlertSink, loadProfiles, remoteForwarder, startLocalLapi, type LocalLapi } from '../run-lapi.js';
import type { AlertForwarder } from '../../client/forwarder.js';
import type { WatcherClient } from '../../client/watcher.js';

const DEFAULT_DATA = DEFAULT_DATA_DIR;

/** thrown by the positions wrapper once stopping: ends the tailer's poll right after it saved its position */
class StoppingError extends Error {}

const usage = `Usage: picket run [--acquis FILE] [--content DIR] [--data DIR] [--listen HOST:PORT] [--workers N]
                  [--metrics HOST:PORT|off] [--config FILE] [--profiles FILE] [-o human|json]
       picket run --stdin --type TYPE [...]
       picket run --no-api [--lapi URL] [-c CREDENTIALS] [...]     agent only, alerts to a remote LAPI
       picket run --no-agent [--listen HOST:PORT] [--data DIR]       Local API only

Run the detection agent and the Local API (LAPI) in one process, like CrowdSec. The agent follows the
log files of the acquisition config (tail -F: files that do not exist yet are picked up when they
appear, rotation and truncation are handled), parses every new line, pours it into the scenarios (live
mode: wall clock) and prints every alert on stdout; each alert also goes to the LAPI, whose profiles
turn it into decisions that bouncers read from http://<listen>/v1/decisions/stream. On first start
the LAPI creates a machine for the picket CLI and writes <data>/local_api_credentials.yaml.

LAPI options:
  --listen ADDR    LAPI address (default: config listen, else ${DEFAULT_LAPI_LISTEN}; port 0 = any free
                   port; the URL is printed on stderr)
  --profiles FILE  profiles.yaml (default: config profiles_path, else Picket's embedded default: 4 h ban)
  --config FILE    config file (default /etc/picket/config.yaml when it exists): data_dir, listen,
                   profiles_path, trusted_ips, tls, retention, metrics.listen
  --no-api         do not start the LAPI: push alerts to a remote LAPI as a watcher (heartbeat every
                   60 s, retries with backoff, bounded queue; drops are counted and logged)
  --lapi URL       (--no-api) the remote LAPI (default: the credentials file's url)
  -c, --credentials FILE  (--no-api) machine credentials (default <data>/local_api_credentials.yaml)
  --no-agent       only the LAPI (no log reading)

Agent options:
  --acquis FILE    acquisition config (CrowdSec acquis.yaml format); default: Picket's embedded one
                   (/var/log/auth.log, /var/log/syslog, /var/log/messages, nginx and apache logs)
  --content DIR    hub-layout content folder instead of Picket's defaults
  --stdin          also read lines from standard input (needs --type)
  --type TYPE      labels.type of the stdin lines
  --workers N      worker threads (default: one per core = ${defaultWorkers()}; 0 = in-process)
  --from-start     read files that exist at start from their beginning (default: only new lines)
  --poll MS        file poll interval in ms (default 200)
  --data DIR       data folder (LMDB store picket.mdb: LAPI machines, bouncers, alerts, decisions, and
                   read positions of files, so a restart resumes where the agent stopped); default:
                   config data_dir, else /var/lib/picket as root, ./.picket-data otherwise
                   (here: ${DEFAULT_DATA})
  --dump-lines FILE  debug: append every line handed to the pipeline to FILE (one per line), and
                   "#committed POS PATH" after each position checkpoint is written
  --metrics ADDR   serve Prometheus metrics (CrowdSec names, agent and LAPI) at http://ADDR/metrics;
                   default: config metrics.listen, else ${DEFAULT_METRICS_LISTEN}; port 0 = any free port
                   (printed on stderr), off = none
  -o FORMAT        human (default: "time scenario scope:value N events") or json (one LAPI alert per line)
  -h, --help       this help

Stop with Ctrl-C (SIGINT) or SIGTERM: pending lines are processed, their alerts delivered, the LAPI
closed and read positions synced first.
After a crash or SIGKILL, lines read after the last checkpoint (at most about one second of input)
are read again; none is skipped.`;

function humanLine(a: LapiAlertJSON): string {
  return `${a.stop_at} ${a.scenario} ${a.source.scope}:${a.source.value} ${a.events_count} events`;
}

/** `--no-agent`: the LAPI (and its metrics) until SIGINT/SIGTERM */
async function runLapiOnly(o: { dataDir: string; config: PicketConfig; profiles: ReturnType<typeof loadProfiles>; lapiAddr: ListenAddr; metricsAddr: ListenAddr | null }, io: CliIO): Promise<number> {
  let store: PicketStore;
  try { store = openStore(o.dataDir); } catch (e) { throw new CliError((e as Error).message, 1); }
  const log = (m: string) => io.err(`picket run: ${m}`);
  const reg = new client.Registry();
  let lapi: LocalLapi;
  try {
    lapi = await startLocalLapi(store, { listen: o.lapiAddr, config: o.config, profiles: o.profiles, registry: reg, log });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw new CliError((e as Error).message, 1);
  }
  io.err(`picket run: data folder ${store.dir}`);
  io.err(`picket run: Local API on ${lapi.server.url} (CLI credentials ${lapi.credentialsFile}, machine ${lapi.machineId})`);
  let metricsServer: MetricsServer | null = null;
  if (o.metricsAddr) {
    try {
      metricsServer = await startMetricsServer(reg, o.metricsAddr);
      io.err(`picket run: metrics on ${metricsServer.url}`);
    } catch (e) {
      io.err(`picket run: metrics server on ${o.metricsAddr.host}:${o.metricsAddr.port} not started: ${(e as Error).message}`);
    }
  }
  const why = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  if (metricsServer) await metricsServer.close().catch(() => undefined);
  await lapi.server.close().catch((e: Error) => io.err(`picket run: closing the Local API: ${e.message}`));
  await lapi.store.close().catch((e: Error) => io.err(`picket run: closing the Local API store: ${e.message}`));
  await store.close().catch((e: Error) => io.err(`picket run: closing the store: ${e.message}`));
  io.err(`picket run: stopped (${why})`);
  return 0;
}

function configOrExit(file: string | undefined): PicketConfig {
  try { return resolveConfig(file); } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}

function listenOption(flag: string, v: string): ListenAddr {
  let a: ListenAddr | null;
  try { a = parseListenAddr(v); } catch (e) { throw new CliError(`${flag} ${(e as Error).message}`); }
  if (!a) throw new CliError(`${flag} off: the LAPI needs an address (use --no-api to run without it)`);
  return a;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent and the Local API: follow log files, detect attacks, serve decisions',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions('run', argv, {
      acquis: { type: 'string' },
      content: { type: 'string' },
      stdin: { type: 'boolean' },
      type: { type: 'string' },
      workers: { type: 'string' },
      'from-start': { type: 'boolean' },
      poll: { type: 'string' },
      output: { type: 'string', short: 'o' },
      data: { type: 'string' },
      'dump-lines': { type: 'string' },
      metrics: { type: 'string' },
      config: { type: 'string' },
      listen: { type: 'string' },
      profiles: { type: 'string' },
      'no-api': { type: 'boolean' },
      'no-agent': { type: 'boolean' },
      lapi: { type: 'string' },
      credentials: { type: 'string', short: 'c' },
    });
    const noApi = values['no-api'] === true, noAgent = values['no-agent'] === true;
    if (noApi && noAgent) throw new CliError('--no-api and --no-agent together leave nothing to run');
    if (!noApi && (values.lapi !== undefined || values.credentials !== undefined)) throw new CliError('--lapi and --credentials are for --no-api (alerts to a remote LAPI)');
    if (noApi && (values.listen !== undefined || values.profiles !== undefined)) throw new CliError('--listen and --profiles configure the LAPI, which --no-api does not start');
    if (noAgent) {
      for (const k of ['acquis', 'content', 'stdin', 'type', 'workers', 'from-start', 'poll', 'dump-lines', 'output'] as const) {
        if (values[k] !== undefined) throw new CliError(`--${k} is an agent option: --no-agent runs the LAPI only`);
      }
    }
    const config = configOrExit(values.config as string | undefined);
    let metricsAddr: ListenAddr | null;
    try { metricsAddr = parseListenAddr((values.metrics as string | undefined) ?? config.metricsListen ?? DEFAULT_METRICS_LISTEN); } catch (e) {
      throw new CliError(`--metrics ${(e as Error).message}`);
    }
    const lapiAddr = noApi ? null : listenOption('--listen', (values.listen as string | undefined) ?? config.listen ?? DEFAULT_LAPI_LISTEN);
    const dataDir = (values.data as string | undefined) ?? config.dataDir ?? DEFAULT_DATA;
    const profiles = noApi ? [] : loadProfiles((values.profiles as string | undefined) ?? config.profilesPath);
    const fmt = (values.output as string | undefined) ?? 'human';
    if (fmt !== 'human' && fmt !== 'json') throw new CliError(`-o ${fmt}: expected human or json`);
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new CliError(`--workers ${String(values.workers)}: expected 0..256`);
    }
    const pollMs = values.poll !== undefined ? Number(values.poll) : 200;
    if (!Number.isFinite(pollMs) || pollMs <= 0) throw new CliError(`--poll ${String(values.poll)}: expected milliseconds`);

    if (noAgent) return runLapiOnly({ dataDir, config, profiles, lapiAddr: lapiAddr as ListenAddr, metricsAddr }, io);

    let sources: AcquisitionSource[];
    try {
      sources = values.acquis ? loadAcquisitionFile(values.acquis as string) : parseAcquisition(DEFAULT_ACQUISITION, '<embedded default acquisition>');
    } catch (e) { throw new CliError((e as Error).message, 1); }
    if (values.stdin) {
      if (!values.type) throw new CliError('--stdin needs --type TYPE');
      sources.push({ source: 'stdin', labels: { type: values.type as string } });
    } else if (values.type) throw new CliError('--type is only used with --stdin');

    // the store first: a bad data folder fails before the content is loaded
    const hasFiles = sources.some((s) => s.source === 'file');
    let store: PicketStore | null = null;
    let positions: LmdbPositionStore | null = null;
    let stopping = false;
    let dumpFd: number | null = null;
    if (values['dump-lines'] !== undefined) {
      try { dumpFd = fs.openSync(values['dump-lines'] as string, 'a'); } catch (e) {
        throw new CliError(`--dump-lines: ${(e as Error).message}`, 1);
      }
    }
    if (hasFiles || !noApi) {
      try {
        store = openStore(dataDir);
        if (hasFiles) positions = new LmdbPositionStore(store);
      } catch (e) {
        if (dumpFd !== null) fs.closeSync(dumpFd);
        throw new CliError((e as Error).message, 1);
      }
    }
    const log = (m: string) => io.err(`picket run: ${m}`);
    // where alerts go besides stdout: the in-process LAPI, or a remote one (--no-api)
    const localSink = noApi ? null : new LocalAlertSink(log);
    let remote: { forwarder: AlertForwarder; client: WatcherClient; url: string } | null = null;
    if (noApi) {
      try {
        remote = remoteForwarder({ credentialsFile: values.credentials as string | undefined, dataDir, lapiUrl: values.lapi as string | undefined, scenarios: [], log });
      } catch (e) {
        if (store) await store.close().catch(() => undefined);
        if (dumpFd !== null) fs.closeSync(dumpFd);
        throw e;
      }
    }
    const print = fmt === 'json'
      ? (a: LapiAlertJSON) => io.out(JSON.stringify(a))
      : (a: LapiAlertJSON) => io.out(humanLine(a));
    const fwd = remote?.forwarder ?? null;
    const emit = localSink ? (a: LapiAlertJSON) => { print(a); localSink.push(a); }
      : fwd ? (a: LapiAlertJSON) => { print(a); fwd.push(a); }
      : print;
    let pipe: Pipeline;
    try {
      pipe = await createPipeline({
        contentDir: (values.content as string | undefined) ?? null, timeMachine: false, workers, onAlert: emit,
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
          patterns: s.filenames, pollMs, fromStart: values['from-start'] === true, positions: tailPositions,
          onLines: dump === null
            ? (src, lines) => { hits(src, lines.length); return pipe.push(lines, { src, module: 'file', labels }); }
            : (src, lines) => { hits(src, lines.length); fs.writeSync(dump, lines.join('\n') + '\n'); return pipe.push(lines, { src, module: 'file', labels }); },
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
    if (metricsAddr) {
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
    if (localSink && store && lapiAddr) {
      try {
        lapi = await startLocalLapi(store, { listen: lapiAddr, config, profiles, registry: reg, log });
        localSink.attach(lapi.server, lapi.machineId);
        io.err(`picket run: Local API on ${lapi.server.url} (CLI credentials ${lapi.credentialsFile}, machine ${lapi.machineId})`);
      } catch (e) {
        // the agent still runs and prints alerts (e.g. the port is taken): said loudly, alerts counted at stop
        io.err(`picket run: ERROR: Local API on ${lapiAddr.host}:${lapiAddr.port} not started: ${(e as Error).message}; alerts are only printed`);
      }
    }
    if (remote) io.err(`picket run: sending alerts to the Local API at ${remote.url} (--no-api)`);
    // "watching" is said once the LAPI is up: the tailers start right after (tests append lines then)
    io.err(`picket run: content ${pipe.content.origin}, ${pipe.content.scenarios.scenarios.length} scenarios, ${pipe.workers === 0 ? 'in-process' : `${pipe.workers} workers`}`);
    if (store) io.err(`picket run: data folder ${store.dir}`);
    io.err(`picket run: watching ${watched.length ? watched.join(', ') : 'nothing'}`);
    for (const w of pipe.content.warnings.slice(0, 10)) io.err(`warning: ${w}`);
    if (metricsAddr && reg) {
      try {
        metricsServer = await startMetricsServer(reg, metricsAddr);
        io.err(`picket run: metrics on ${metricsServer.url}`);
      } catch (e) {
        // the agent still runs (e.g. port 6060 taken by another agent): said once, loudly
        io.err(`picket run: metrics server on ${metricsAddr.host}:${metricsAddr.port} not started: ${(e as Error).message}`);
      }
    }
    for (const t of tailers) t.start();

    const ticker = setInterval(() => { pipe.tick().catch((e: Error) => io.err(`picket run: ${e.message}`)); }, 1000);
    const checkpointer = pos ? setInterval(() => {
      checkpoint(false).catch((e: Error) => io.err(`picket run: saving read positions: ${e.message}`));
    }, 1000) : null;
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
  },
};
