// `picket metrics [show SECTION…] [--url URL] [-o human|json]`: the tables `cscli metrics` prints, read from a
// running Picket's (or CrowdSec's) Prometheus endpoint. Owns: the usage text, fetching the page (bounded in time
// and size), section selection and output; the tables are src/metrics/cscli-tables.ts.

import { CliError, parseOptions, type Command } from '../command.js';
import { parseExposition } from '../../metrics/exposition.js';
import { metricsTables, tablesJSON, SECTION_NAMES } from '../../metrics/cscli-tables.js';
import { renderTable } from '../table.js';
import { errorMessage } from '../../core/errors.js';

const DEFAULT_URL = 'http://127.0.0.1:6060/metrics';
const MAX_BYTES = 64 * 1024 * 1024;

const usage = `Usage: picket metrics [show SECTION...] [--url URL] [-o human|json]

Prints the metrics tables of \`cscli metrics\` from a running Picket's Prometheus endpoint (picket run
--metrics ADDR; CrowdSec's own /metrics page works too).

Sections: ${SECTION_NAMES.join(', ')} (default: all)

Options:
  --url URL      the metrics page (default ${DEFAULT_URL})
  -o FORMAT      human (default) or json`;

async function fetchPage(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10000) });
  } catch (e) {
    throw new CliError(`metrics: cannot read ${url}: ${errorMessage(e)}`, 1);
  }
  if (!res.ok) throw new CliError(`metrics: ${url}: HTTP ${res.status}`, 1);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new CliError(`metrics: ${url}: page larger than ${MAX_BYTES} bytes`, 1);
  return text;
}

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'print the cscli metrics tables (acquisition, parsers, scenarios, LAPI...) of a running Picket',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      'metrics',
      argv,
      {
        url: { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
      true,
    );
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const fmt = (values.output as string | undefined) ?? 'human';
    if (fmt !== 'human' && fmt !== 'json') throw new CliError(`metrics: -o ${fmt}: expected human or json`);
    let sections = [...SECTION_NAMES];
    if (positionals.length > 0) {
      if (positionals[0] !== 'show')
        throw new CliError(`metrics: unknown sub-command ${positionals[0]} (see picket metrics --help)`);
      const asked = positionals.slice(1).map((s) => (s === 'buckets' ? 'scenarios' : s));
      const bad = asked.filter((s) => !SECTION_NAMES.includes(s));
      if (bad.length)
        throw new CliError(`metrics: unknown section ${bad.join(', ')} (one of ${SECTION_NAMES.join(', ')})`);
      if (asked.length) sections = asked;
    }
    const url = (values.url as string | undefined) ?? DEFAULT_URL;
    let samples;
    try {
      samples = parseExposition(await fetchPage(url));
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`metrics: ${url}: ${errorMessage(e)}`, 1);
    }
    const tables = metricsTables(samples, sections);
    if (fmt === 'json') {
      io.out(JSON.stringify(tablesJSON(tables), null, 2));
      return 0;
    }
    const shown = tables.filter((t) => t.rows.length > 0 || positionals.length > 1);
    io.out(shown.map((t) => `${t.title}:\n${renderTable(t.headers, t.rows)}`).join('\n\n') || 'no metrics yet');
    return 0;
  },
};
