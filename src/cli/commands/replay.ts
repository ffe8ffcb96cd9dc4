// `picket replay --file LOG [--file LOG2 ...] --type TYPE`: time-machine replay of log files (plain or .gz)
// through the parsers, scenarios and postoverflows; prints a summary or one JSON object with the alerts in
// the LAPI Alert JSON shape; with `--lapi URL`, sends the alerts to that Local API as a watcher (machine
// credentials file), where the profiles turn them into decisions. Owns: option handling and output
// formatting (the work is src/pipeline/replay.ts).

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { runReplay, type ReplayResult } from '../../pipeline/replay.js';
import { defaultWorkers } from '../../pipeline/pool.js';
import { configSimulation, simulationSwitch } from '../simulation-file.js';
import { contextSpecOf } from '../context-file.js';
import { loadConfigFile, ConfigError, type PicketConfig } from '../../config/config.js';
import { MAX_BUCKETS_HELP, maxBucketsOption } from '../bucket-options.js';
import { configRdns, RDNS_FLAGS, RDNS_HELP, rdnsOption } from '../rdns-options.js';
import { errorMessage } from '../../core/errors.js';
import type { remoteForwarder } from '../run-lapi.js';

const JSON_ALERTS_PER_WRITE = 64;

const usage = `Usage: picket replay --file LOG [--file LOG2 ...] --type TYPE [options]

Replay log files in time-machine mode (event times come from the log lines): parse them, pour them
into the scenarios, run overflows through the postoverflows, and report the alerts.
.gz files are decompressed on the fly.

Options:
  --file LOG       log file to replay (repeatable; read one after the other)
  --type TYPE      acquisition type given to the parsers as labels.type (syslog, nginx, apache2 ...)
  --content DIR    hub-layout content folder (parsers/, postoverflows/, scenarios/, patterns/, data/)
                   instead of Picket's defaults (e.g. ../shared/hub)
  --label K:V      extra acquisition label (repeatable)
  --year YYYY      year for dates without one (syslog); default: the current UTC year
  --workers N      worker threads beside the main thread, which parses one shard too (default: cores - 1,
                   0 = in-process on two cores or fewer; here ${defaultWorkers(true)})
${MAX_BUCKETS_HELP}
${RDNS_HELP}
  --json           print one JSON object: lines, parsed, unparsed, poured, alerts (LAPI Alert JSON) ...
  --lapi URL       also send the alerts to this Local API as a watcher (POST /v1/alerts, 100 per
                   request, retried while it is unreachable); exit 1 if some were not accepted
  -c, --credentials FILE  machine credentials for --lapi (default <data>/local_api_credentials.yaml)
  --data DIR       data folder holding the default credentials file
  --config FILE    config file (data_dir, simulation_path, console_context_path, config_dir's contexts/, rdns)
  --simulation FILE  simulation.yaml (CrowdSec's format): alerts of simulated scenarios are marked simulated
  --context FILE   alert context file (CrowdSec's console/context.yaml format): its keys go to each alert's meta
  -h, --help       this help`;

function summary(r: ReplayResult): string {
  const out: string[] = [];
  out.push(`content: ${r.content}   workers: ${r.workers === 0 ? 'in-process' : `${r.workers} + the main thread`}`);
  out.push(
    `lines read ${r.lines}  parsed ${r.parsed}  unparsed ${r.unparsed}  errors ${r.parseErrors}  whitelisted ${r.whitelisted}  poured ${r.poured}`,
  );
  out.push(`time ${r.seconds.toFixed(2)} s  ${Math.round(r.linesPerSecond)} lines/s`);
  const total = r.alertsJSON.length;
  out.push(`alerts ${total}`);
  const names = Object.keys(r.alertsByScenario);
  const w = Math.max(8, ...names.map((n) => n.length));
  for (const n of names) out.push(`  ${n.padEnd(w)} ${String(r.alertsByScenario[n]).padStart(7)}`);
  return out.join('\n');
}

type ReplayValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
type Sender = Awaited<ReturnType<typeof remoteForwarder>>;

/** --lapi: the alert forwarder, its credentials checked before the replay runs (a typo must not cost a long
 * replay); the LAPI client, undici included, is loaded only for --lapi. */
async function lapiSender(values: ReplayValues, io: CliIO): Promise<Sender | null> {
  const lapiUrl = values.lapi as string | undefined;
  if (lapiUrl === undefined && (values.credentials !== undefined || values.data !== undefined))
    throw new CliError('--credentials and --data are for --lapi');
  if (lapiUrl === undefined) return null;
  const [{ resolveContext }, run] = await Promise.all([import('../api-context.js'), import('../run-lapi.js')]);
  const ctx = resolveContext({
    config: values.config as string | undefined,
    data: values.data as string | undefined,
    credentials: values.credentials as string | undefined,
  });
  return run.remoteForwarder({
    credentialsFile: ctx.credentialsFile,
    dataDir: ctx.dataDir,
    lapiUrl,
    scenarios: [],
    log: (m) => io.err(`picket replay: ${m}`),
    maxQueue: Number.MAX_SAFE_INTEGER,
    heartbeatMs: 0,
  });
}

/** --file, --type, --label, --year, --workers, checked */
function replayInputs(values: ReplayValues) {
  const files = (values.file as string[] | undefined) ?? [];
  if (files.length === 0) throw new CliError('--file is required (see picket replay --help)');
  const type = values.type as string | undefined;
  if (!type) throw new CliError('--type is required (the acquisition labels.type: syslog, nginx ...)');
  const labels: Record<string, string> = {};
  for (const l of (values.label as string[] | undefined) ?? []) {
    const i = l.indexOf(':');
    if (i <= 0) throw new CliError(`--label ${l}: expected KEY:VALUE`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  let year: number | null = null;
  if (values.year !== undefined) {
    year = Number(values.year);
    if (!Number.isInteger(year) || year < 1 || year > 9999)
      throw new CliError(`--year ${String(values.year)}: expected a year`);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 256)
      throw new CliError(`--workers ${String(values.workers)}: expected 0..256`);
  }
  return { files, type, labels, year, workers };
}

/** --json: one object, the alerts (kept as JSON text by replay.ts) spliced in, not parsed and serialised again */
async function writeJson(r: ReplayResult, io: CliIO): Promise<void> {
  const head = JSON.stringify({
    lines: r.lines,
    parsed: r.parsed,
    unparsed: r.unparsed,
    errors: r.parseErrors,
    whitelisted: r.whitelisted,
    poured: r.poured,
    poured_by_scenario: r.pouredByScenario,
    alerts_by_scenario: r.alertsByScenario,
    workers: r.workers,
    seconds: r.seconds,
    lines_per_second: r.linesPerSecond,
    max_rss_kb: process.resourceUsage().maxRSS,
  });
  // written a few alerts at a time, waiting for a slow reader: one string of all of them (8.5 MB for 2,109
  // nginx alerts) queued in a pipe's write buffer was the peak of a 1M-line replay (138 MB vs 108 MB)
  const open = `${head.slice(0, -1)},"alerts":[`;
  const all = r.alertsJSON;
  if (io.write === undefined) io.out(`${open}${all.join(',')}]}`);
  else {
    await io.write(open);
    for (let i = 0; i < all.length; i += JSON_ALERTS_PER_WRITE)
      await io.write((i > 0 ? ',' : '') + all.slice(i, i + JSON_ALERTS_PER_WRITE).join(','));
    await io.write(']}\n');
  }
}

/** --context, else the context of --config (console_context_path, config_dir); none without either */
function replayContext(configFile: string | undefined, file: string | undefined): ReturnType<typeof contextSpecOf> {
  if (configFile === undefined && file === undefined) return null;
  let config: PicketConfig = { file: null };
  try {
    if (configFile !== undefined) config = loadConfigFile(configFile);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
  return contextSpecOf(config, file);
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay log files (time machine) and report the alerts',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions('replay', argv, {
      file: { type: 'string', multiple: true },
      type: { type: 'string' },
      content: { type: 'string' },
      label: { type: 'string', multiple: true },
      year: { type: 'string' },
      workers: { type: 'string' },
      'max-buckets': { type: 'string' },
      json: { type: 'boolean' },
      store: { type: 'string' },
      lapi: { type: 'string' },
      credentials: { type: 'string', short: 'c' },
      data: { type: 'string' },
      config: { type: 'string' },
      simulation: { type: 'string' },
      context: { type: 'string' },
      ...RDNS_FLAGS,
    });
    const sender = await lapiSender(values, io);
    const { files, type, labels, year, workers } = replayInputs(values);
    const store = values.store === 'ts' ? 'ts' : 'wasm';
    const maxBuckets = maxBucketsOption(values['max-buckets'], undefined);
    const warnings = new Map<string, number>();
    let r: ReplayResult;
    try {
      r = await runReplay({
        files,
        type,
        labels,
        contentDir: (values.content as string | undefined) ?? null,
        workers,
        year,
        store,
        simulation: simulationSwitch((values.simulation as string | undefined) ?? configSimulation(values.config)),
        context: replayContext(values.config as string | undefined, values.context as string | undefined),
        maxBuckets,
        rdns: rdnsOption(values, values.config !== undefined ? configRdns(values.config as string) : undefined),
        log: (m) => {
          const k = m.slice(0, 300);
          warnings.set(k, (warnings.get(k) ?? 0) + 1);
        },
      });
    } catch (e) {
      if (sender) {
        await sender.forwarder.close(0);
        await sender.client.close();
      }
      throw new CliError(errorMessage(e), 1);
    }
    for (const w of r.warnings.slice(0, 20)) io.err(`warning: ${w}`);
    if (r.warnings.length > 20) io.err(`warning: ... ${r.warnings.length - 20} more load warnings`);
    for (const [m, n] of [...warnings].slice(0, 20)) io.err(`warning: ${n}x ${m}`);
    if (values.json) await writeJson(r, io);
    else io.out(summary(r));
    if (sender) {
      for (const a of r.alerts) sender.forwarder.push(a);
      const st = await sender.forwarder.close(120_000);
      await sender.client.close();
      io.err(
        `picket replay: alerts to ${sender.url}: ${st.sent} sent, ${st.rejected} refused, ${st.dropped} not delivered`,
      );
      if (st.sent !== r.alertsJSON.length)
        throw new CliError(
          `${r.alertsJSON.length - st.sent} of ${r.alertsJSON.length} alerts were not accepted by ${sender.url}`,
          1,
        );
    }
    return 0;
  },
};
