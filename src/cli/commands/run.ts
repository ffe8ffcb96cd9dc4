// `picket run`: the agent and the Local API in one process, like CrowdSec (`--no-api`: agent only, alerts to a
// remote LAPI as a watcher; `--no-agent`: LAPI only). Owns: the usage text, option parsing and checks,
// resolving them against the config file and defaults, and starting the parts: the agent is
// ../run-agent.ts (loaded only when it runs), the LAPI wiring ../run-lapi.ts.

import os from 'node:os';
import { CliError, parseOptions, type CliIO, type Command, type Options } from '../command.js';
import { parseListenAddr, type ListenAddr } from '../../metrics/server.js';
import { resolveConfig, ConfigError, type PicketConfig } from '../../config/config.js';
import { DEFAULT_DATA_DIR, DEFAULT_LAPI_LISTEN, DEFAULT_METRICS_LISTEN } from '../../config/defaults.js';
import { loadNotifier, loadProfiles, runLapiOnly } from '../run-lapi.js';
import { MAX_BUCKETS_HELP, maxBucketsOption } from '../bucket-options.js';
import { RDNS_FLAGS, RDNS_HELP, rdnsOption } from '../rdns-options.js';
import { errorMessage } from '../../core/errors.js';
import { LOG_LEVEL_CHOICES, parseLogLevel } from '../../core/log-level.js';

const DEFAULT_DATA = DEFAULT_DATA_DIR;
/** what the pipeline uses when --workers is not given (src/pipeline/pool.ts defaultWorkers), for the help text */
const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

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
                   profiles_path, trusted_ips, tls, retention, metrics.listen, hub_dir, config_dir,
                   hub_url, rdns; or CrowdSec's config.yaml (the settings Picket does not use are named)
  --no-api         do not start the LAPI: push alerts to a remote LAPI as a watcher (heartbeat every
                   60 s, retries with backoff, bounded queue; drops are counted and logged)
  --lapi URL       (--no-api) the remote LAPI (default: the credentials file's url)
  -c, --credentials FILE  (--no-api) machine credentials (default <data>/local_api_credentials.yaml)
  --no-agent       only the LAPI (no log reading)

Agent options:
  --acquis PATH    acquisition config (CrowdSec acquis.yaml format), a file or an acquis.d/ folder (its *.yaml);
                   repeatable; default: the config's acquisition_path and acquisition_dir, else Picket's
                   embedded one
                   (/var/log/auth.log, /var/log/syslog, /var/log/messages, nginx and apache logs)
  --content DIR    hub-layout content folder instead of Picket's defaults (default: the items enabled
                   under the config's config_dir, see picket hub, else Picket's defaults)
  --stdin          also read lines from standard input (needs --type)
  --type TYPE      labels.type of the stdin lines
  --workers N      worker threads (default: one per core = ${CORES}; 0 = in-process)
  --from-start     read files that exist at start from their beginning (default: only new lines)
  --poll MS        file poll interval in ms (default 200)
${MAX_BUCKETS_HELP}
${RDNS_HELP}
  --summary SEC    log a one-line throughput summary every SEC seconds (default 60, 0 = never)
  --log-level L    trace, debug, info (default; else the config's log_level, CrowdSec's common.log_level),
                   warn, error: below info, the per-alert lines (decision taken), file events and throughput
                   summaries are not logged; debug adds the settings in effect and each read-position
                   checkpoint, trace every line read
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

SIGHUP (systemctl reload) reloads content (parsers, scenarios, data files), acquisition and profiles;
read positions are kept, live buckets start afresh; one stderr line says what was reloaded. An invalid
new file keeps the whole running configuration (said on stderr). With --no-agent: the profiles only.
Stop with Ctrl-C (SIGINT) or SIGTERM: pending lines are processed, their alerts delivered, the LAPI
closed and read positions synced first.
After a crash or SIGKILL, lines read after the last checkpoint (at most about one second of input)
are read again; none is skipped. Lines a file received while Picket was stopped (read from its saved
position) are poured with their own timestamps, as picket replay pours them; then live mode resumes.`;

function configOrExit(file: string | undefined): PicketConfig {
  try {
    return resolveConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}

function listenOption(flag: string, v: string): ListenAddr {
  let a: ListenAddr | null;
  try {
    a = parseListenAddr(v);
  } catch (e) {
    throw new CliError(`${flag} ${errorMessage(e)}`);
  }
  if (!a) throw new CliError(`${flag} off: the LAPI needs an address (use --no-api to run without it)`);
  return a;
}

const OPTIONS = {
  acquis: { type: 'string', multiple: true },
  content: { type: 'string' },
  stdin: { type: 'boolean' },
  type: { type: 'string' },
  workers: { type: 'string' },
  'max-buckets': { type: 'string' },
  'from-start': { type: 'boolean' },
  poll: { type: 'string' },
  summary: { type: 'string' },
  'log-level': { type: 'string' },
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
  ...RDNS_FLAGS,
} as const satisfies Options;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** --no-api / --no-agent and the options each of them excludes */
function checkModes(values: Values): { noApi: boolean; noAgent: boolean } {
  const noApi = values['no-api'] === true,
    noAgent = values['no-agent'] === true;
  if (noApi && noAgent) throw new CliError('--no-api and --no-agent together leave nothing to run');
  if (!noApi && (values.lapi !== undefined || values.credentials !== undefined))
    throw new CliError('--lapi and --credentials are for --no-api (alerts to a remote LAPI)');
  if (noApi && (values.listen !== undefined || values.profiles !== undefined))
    throw new CliError('--listen and --profiles configure the LAPI, which --no-api does not start');
  if (noAgent) {
    const agentOnly = [
      'acquis',
      'content',
      'stdin',
      'type',
      'workers',
      'max-buckets',
      'from-start',
      'poll',
      'dump-lines',
      'output',
      'no-rdns',
      'dns-server',
    ] as const;
    for (const k of agentOnly) {
      if (values[k] !== undefined) throw new CliError(`--${k} is an agent option: --no-agent runs the LAPI only`);
    }
  }
  return { noApi, noAgent };
}

/** --workers, --poll and --summary, checked */
function numericOptions(values: Values): { workers: number | undefined; pollMs: number; summary: number } {
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 256)
      throw new CliError(`--workers ${String(values.workers)}: expected 0..256`);
  }
  const pollMs = values.poll !== undefined ? Number(values.poll) : 200;
  if (!Number.isFinite(pollMs) || pollMs <= 0)
    throw new CliError(`--poll ${String(values.poll)}: expected milliseconds`);
  const summary = values.summary !== undefined ? Number(values.summary) : 60;
  if (!Number.isFinite(summary) || summary < 0) {
    throw new CliError(`--summary ${String(values.summary)}: expected seconds`);
  }
  return { workers, pollMs, summary };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent and the Local API: follow log files, detect attacks, serve decisions',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions('run', argv, OPTIONS);
    const { noApi, noAgent } = checkModes(values);
    const config = configOrExit(values.config as string | undefined);
    if (config.ignored?.length)
      io.err(`picket run: ${config.file}: settings Picket does not use: ${config.ignored.join(', ')}`);
    const fromConfigDir = values.content === undefined && config.configDir !== undefined;
    let metricsAddr: ListenAddr | null;
    try {
      metricsAddr = parseListenAddr(
        (values.metrics as string | undefined) ?? config.metricsListen ?? DEFAULT_METRICS_LISTEN,
      );
    } catch (e) {
      throw new CliError(`--metrics ${errorMessage(e)}`);
    }
    const lapiAddr = noApi
      ? null
      : listenOption('--listen', (values.listen as string | undefined) ?? config.listen ?? DEFAULT_LAPI_LISTEN);
    const dataDir = (values.data as string | undefined) ?? config.dataDir ?? DEFAULT_DATA;
    const profilesFile = (values.profiles as string | undefined) ?? config.profilesPath;
    const profiles = noApi ? [] : loadProfiles(profilesFile);
    await loadNotifier(config, profiles, { log: () => undefined })?.close(); // a bad notification is a start-up error
    const fmt = (values.output as string | undefined) ?? 'human';
    if (fmt !== 'human' && fmt !== 'json') throw new CliError(`-o ${fmt}: expected human or json`);
    const { workers, pollMs, summary } = numericOptions(values);
    const flagLevel = values['log-level'] as string | undefined;
    const logLevel = flagLevel === undefined ? (config.logLevel ?? 'info') : parseLogLevel(flagLevel);
    if (logLevel === null) throw new CliError(`--log-level ${flagLevel}: expected one of ${LOG_LEVEL_CHOICES}`);

    if (noAgent) {
      const lapiAddress = lapiAddr as ListenAddr;
      const lapiOnly = { dataDir, config, profiles, profilesFile, lapiAddr: lapiAddress, metricsAddr, logLevel };
      return runLapiOnly(lapiOnly, io);
    }

    const { runAgent } = await import('../run-agent.js');
    return runAgent(
      {
        acquis: values.acquis as string[] | undefined,
        stdin: values.stdin === true,
        type: values.type as string | undefined,
        content: (values.content as string | undefined) ?? config.configDir,
        fromStart: values['from-start'] === true,
        dumpLines: values['dump-lines'] as string | undefined,
        workers,
        pollMs,
        maxBuckets: maxBucketsOption(values['max-buckets'], config.maxLiveBuckets),
        rdns: rdnsOption(values, config.rdns),
        fmt,
        dataDir,
        metricsAddr,
        config,
        contentDataDir: fromConfigDir ? config.dataDir : undefined,
        hubDir: fromConfigDir ? config.hubDir : undefined,
        acquisFiles: config.acquisitionFiles,
        lapiAddr,
        profiles,
        profilesFile,
        noApi,
        lapiUrl: values.lapi as string | undefined,
        summaryMs: summary * 1000,
        logLevel,
        credentialsFile: (values.credentials as string | undefined) ?? config.credentialsPath,
      },
      io,
    );
  },
};
