// `picket run`: the live agent. Reads the acquisition config (Picket's embedded default unless --acquis),
// tails file sources (files that do not exist yet are waited for), optionally reads stdin, runs lines
// through the pipeline in LIVE mode (wall clock, periodic bucket ticks) and prints alerts on stdout.
// No LAPI yet (later issue). Owns: option handling, source wiring, output lines, clean stop on SIGINT/SIGTERM.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { DEFAULT_ACQUISITION, loadAcquisitionFile, parseAcquisition, type AcquisitionSource } from '../../acquisition/config.js';
import { FileTailer } from '../../acquisition/file-tail.js';
import { expandGlob } from '../../acquisition/glob.js';
import { readStdinLines } from '../../acquisition/stdin.js';
import { createPipeline, defaultWorkers, type Pipeline } from '../../pipeline/pool.js';
import type { LapiAlertJSON } from '../../pipeline/alert-json.js';

const usage = `Usage: picket run [--acquis FILE] [--content DIR] [--workers N] [-o human|json]
       picket run --stdin --type TYPE [...]

Run the detection agent: follow the log files of the acquisition config (tail -F: files that do not
exist yet are picked up when they appear, rotation and truncation are handled), parse every new line,
pour it into the scenarios (live mode: wall clock) and print every alert on stdout.

Options:
  --acquis FILE    acquisition config (CrowdSec acquis.yaml format); default: Picket's embedded one
                   (/var/log/auth.log, /var/log/syslog, /var/log/messages, nginx and apache logs)
  --content DIR    hub-layout content folder instead of Picket's defaults
  --stdin          also read lines from standard input (needs --type)
  --type TYPE      labels.type of the stdin lines
  --workers N      worker threads (default: one per core = ${defaultWorkers()}; 0 = in-process)
  --from-start     read files that exist at start from their beginning (default: only new lines)
  --poll MS        file poll interval in ms (default 200)
  -o FORMAT        human (default: "time scenario scope:value N events") or json (one LAPI alert per line)
  -h, --help       this help

Stop with Ctrl-C (SIGINT) or SIGTERM.`;

function humanLine(a: LapiAlertJSON): string {
  return `${a.stop_at} ${a.scenario} ${a.source.scope}:${a.source.value} ${a.events_count} events`;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent: follow log files, detect attacks, print alerts',
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
    });
    const fmt = (values.output as string | undefined) ?? 'human';
    if (fmt !== 'human' && fmt !== 'json') throw new CliError(`-o ${fmt}: expected human or json`);
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new CliError(`--workers ${String(values.workers)}: expected 0..256`);
    }
    const pollMs = values.poll !== undefined ? Number(values.poll) : 200;
    if (!Number.isFinite(pollMs) || pollMs <= 0) throw new CliError(`--poll ${String(values.poll)}: expected milliseconds`);

    let sources: AcquisitionSource[];
    try {
      sources = values.acquis ? loadAcquisitionFile(values.acquis as string) : parseAcquisition(DEFAULT_ACQUISITION, '<embedded default acquisition>');
    } catch (e) { throw new CliError((e as Error).message, 1); }
    if (values.stdin) {
      if (!values.type) throw new CliError('--stdin needs --type TYPE');
      sources.push({ source: 'stdin', labels: { type: values.type as string } });
    } else if (values.type) throw new CliError('--type is only used with --stdin');

    const emit = fmt === 'json'
      ? (a: LapiAlertJSON) => io.out(JSON.stringify(a))
      : (a: LapiAlertJSON) => io.out(humanLine(a));
    let pipe: Pipeline;
    try {
      pipe = await createPipeline({
        contentDir: (values.content as string | undefined) ?? null, timeMachine: false, workers, onAlert: emit,
        log: (m) => io.err(`warning: ${m}`),
      });
    } catch (e) { throw new CliError((e as Error).message, 1); }

    const tailers: FileTailer[] = [];
    let stdinDone: Promise<void> | null = null;
    const watched: string[] = [];
    for (const s of sources) {
      if (s.source === 'file') {
        const labels = s.labels;
        const t = new FileTailer({
          patterns: s.filenames, pollMs, fromStart: values['from-start'] === true,
          onLines: (src, lines) => pipe.push(lines, { src, module: 'file', labels }),
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
      } else {
        io.err(`picket run: ${s.source} sources are not supported yet, skipped (labels.type ${s.labels.type})`);
      }
    }
    io.err(`picket run: content ${pipe.content.origin}, ${pipe.content.scenarios.scenarios.length} scenarios, ${pipe.workers === 0 ? 'in-process' : `${pipe.workers} workers`}`);
    io.err(`picket run: watching ${watched.length ? watched.join(', ') : 'nothing'}`);
    for (const w of pipe.content.warnings.slice(0, 10)) io.err(`warning: ${w}`);
    for (const t of tailers) t.start();

    const ticker = setInterval(() => { pipe.tick().catch((e: Error) => io.err(`picket run: ${e.message}`)); }, 1000);
    const stopped = new Promise<string>((resolve) => {
      const on = (sig: string) => () => resolve(sig);
      process.once('SIGINT', on('SIGINT'));
      process.once('SIGTERM', on('SIGTERM'));
      if (stdinDone && tailers.length === 0) stdinDone.then(() => resolve('end of input'), () => resolve('stdin error'));
    });
    const why = await stopped;
    clearInterval(ticker);
    for (const t of tailers) t.stop();
    if (stdinDone && why !== 'end of input') process.stdin.destroy();
    await pipe.drain().catch(() => undefined);
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
