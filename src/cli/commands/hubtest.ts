// `picket hubtest run --hub DIR --test DIR [--json]`: replay one hub test folder (expect.json format)
// and print the result JSON (for hubtest-score.mjs) or a short human summary.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { runHubTest } from '../../hubtest/runner.js';
import { formatSweep, runSweep } from '../../hubtest/sweep.js';
import type { HubTestResult } from '../../hubtest/expect.js';
import { errorMessage } from '../../core/errors.js';

const usage = `Usage: picket hubtest run --hub DIR --test DIR [--json]
       picket hubtest sweep --hub DIR --tests DIR [--mode all|own|both] [--only NAME,...] [--top N]

Replay one hub test: load the parsers, scenarios and postoverflows listed in DIR/expect.json
from the hub folder (or the test folder), read the log file line by line in time-machine mode,
and report every parser node result and every alert.

Options:
  --hub DIR    hub content folder (parsers/, scenarios/, postoverflows/, patterns/, data/)
  --test DIR   test folder holding expect.json and the log file
  --json       print one result JSON object (format of shared/hub-tests/README.md); on a load
               error print {"error": "..."} and exit 1
  -h, --help   this help

sweep: replay every hub parser, postoverflow and scenario over every test log of --tests (and each
test's own items), and report load errors, exceptions, expression runtime errors per expression,
events discarded with PARSE_ERROR, statics warnings and odd values ("[object Object]", "NaN", ...).`;

function summary(r: HubTestResult): string {
  const out: string[] = [];
  const st = r.stats ?? {};
  out.push(
    `test ${r.name ?? ''}: ${st.lines ?? 0} lines, ${st.parsed ?? 0} parsed, ${st.unparsed ?? 0} unparsed, ${st.errors ?? 0} errors, ${st.poured ?? 0} poured`,
  );
  for (const stage of Object.keys(r.parse).sort()) {
    out.push(`  ${stage}`);
    for (const [node, list] of Object.entries(r.parse[stage]!)) {
      const ok = list.filter((x) => x.success).length;
      out.push(`    ${node}: ${ok}/${list.length} ok`);
    }
  }
  out.push(`alerts: ${r.alerts.length}`);
  for (const a of r.alerts) {
    out.push(
      `  ${a.scenario} sources=${Object.keys(a.sources).join(',')} events=${a.events_count}${a.whitelisted ? ' (whitelisted)' : ''}`,
    );
  }
  for (const w of r.warnings ?? []) out.push(`warning: ${w}`);
  return out.join('\n');
}

export const hubtestCommand: Command = {
  name: 'hubtest',
  summary: 'replay a hub test folder (parsers, scenarios, postoverflows) and report results',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'sweep') {
      const { values } = parseOptions('hubtest sweep', rest, {
        hub: { type: 'string' },
        tests: { type: 'string' },
        mode: { type: 'string' },
        only: { type: 'string' },
        top: { type: 'string' },
      });
      if (!values.hub || !values.tests) throw new CliError('--hub and --tests are required');
      const mode = (values.mode as string | undefined) ?? 'both';
      if (mode !== 'all' && mode !== 'own' && mode !== 'both') throw new CliError('--mode must be all, own or both');
      const only = values.only ? (values.only as string).split(',').filter(Boolean) : undefined;
      const top = values.top ? Number(values.top) : 15;
      const r = await runSweep({ hubDir: values.hub as string, testsDir: values.tests as string, mode, only });
      io.out(formatSweep(r, Number.isFinite(top) && top > 0 ? top : 15));
      return 0;
    }
    if (sub !== 'run') throw new CliError(`unknown sub-command "${sub ?? ''}" (expected "run" or "sweep")\n\n${usage}`);
    const { values } = parseOptions('hubtest', rest, {
      hub: { type: 'string' },
      test: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.hub || !values.test) throw new CliError('--hub and --test are required');
    let r: HubTestResult;
    try {
      r = await runHubTest({ hubDir: values.hub as string, testDir: values.test as string });
    } catch (e) {
      const msg = errorMessage(e);
      if (values.json) {
        io.out(JSON.stringify({ parse: {}, alerts: [], error: msg }));
        return 1;
      }
      io.err(`picket hubtest: ${msg}`);
      return 1;
    }
    if (values.json) {
      const { warnings, ...rest2 } = r;
      for (const w of warnings ?? []) io.err(`warning: ${w}`);
      io.out(JSON.stringify(rest2));
    } else {
      io.out(summary(r));
    }
    return 0;
  },
};
