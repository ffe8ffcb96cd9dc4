// `picket metrics [show SECTION…] [--url URL] [-o human|json]`: the tables `cscli metrics` prints, read from a
// running Picket's (or CrowdSec's) Prometheus endpoint, and the bouncers' usage metrics (CrowdSec 1.6's "Bouncer
// Metrics", section `bouncers`) read from the LAPI store of the data folder, as cscli reads them from its database.
// Owns: the usage text, fetching the page (bounded in time and size), section selection and output; the tables
// are src/metrics/cscli-tables.ts and src/metrics/bouncer-usage.ts (drawn by ../bouncer-usage-table.ts).

import { CliError, parseOptions, type Command } from '../command.js';
import { parseExposition } from '../../metrics/exposition.js';
import { metricsTables, tablesJSON, SECTION_NAMES, type MetricsTable } from '../../metrics/cscli-tables.js';
import { renderTable } from '../table.js';
import { errorMessage } from '../../core/errors.js';
import { bouncerUsage, usageJSON, type BouncerUsage } from '../../metrics/bouncer-usage.js';
import { renderUsageTables } from '../bouncer-usage-table.js';
import { resolveContext, withStore } from '../api-context.js';
import { STORE_FILE } from '../../store/lmdb.js';
import fs from 'node:fs';
import path from 'node:path';

const DEFAULT_URL = 'http://127.0.0.1:6060/metrics';
const MAX_BYTES = 64 * 1024 * 1024;

/** sections read from the LAPI store rather than the metrics page */
const STORE_SECTIONS = ['bouncers'];
const ALL_SECTIONS = [...SECTION_NAMES, ...STORE_SECTIONS];

const usage = `Usage: picket metrics [show SECTION...] [--url URL] [--config FILE] [--data DIR] [-o human|json]

Prints the metrics tables of \`cscli metrics\` from a running Picket's Prometheus endpoint (picket run
--metrics ADDR; CrowdSec's own /metrics page works too), and the bouncers' usage metrics (what each bouncer
reported on /v1/usage-metrics: dropped bytes/packets, active decisions, per origin) from the store of the
data folder.

Sections: ${ALL_SECTIONS.join(', ')} (default: all)

Options:
  --url URL      the metrics page (default: http://<config metrics.listen>/metrics, else ${DEFAULT_URL})
  --config FILE  config file (Picket's or CrowdSec's): data folder and metrics address
  --data DIR     data folder holding the store (default: config data_dir)
  -o FORMAT      human (default) or json`;

/** The bouncers' usage metrics in the store of `dataDir` (none when it has no store yet). */
async function storedUsage(dataDir: string | undefined, config: string | undefined): Promise<BouncerUsage[]> {
  const ctx = resolveContext({ config, data: dataDir });
  if (!fs.existsSync(path.join(ctx.dataDir, STORE_FILE))) return [];
  return bouncerUsage(await withStore(ctx, (s) => Promise.resolve(s.listUsageMetrics())));
}

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

/** The sections asked for (`show SECTION...`; all by default) and whether some were named. */
function askedSections(positionals: string[]): { sections: string[]; named: boolean } {
  if (positionals.length === 0) return { sections: [...ALL_SECTIONS], named: false };
  if (positionals[0] !== 'show')
    throw new CliError(`metrics: unknown sub-command ${positionals[0]} (see picket metrics --help)`);
  const asked = positionals.slice(1).map((s) => (s === 'buckets' ? 'scenarios' : s));
  const bad = asked.filter((s) => !ALL_SECTIONS.includes(s));
  if (bad.length) throw new CliError(`metrics: unknown section ${bad.join(', ')} (one of ${ALL_SECTIONS.join(', ')})`);
  return asked.length ? { sections: asked, named: true } : { sections: [...ALL_SECTIONS], named: false };
}

/** The metrics page: --url, else the config's metrics.listen, else the default. */
function pageUrl(url: string | undefined, config: string | undefined): string {
  if (url !== undefined) return url;
  const listen = resolveContext({ config }).config.metricsListen;
  return listen === undefined ? DEFAULT_URL : `http://${listen}/metrics`;
}

async function pageTables(url: string, sections: string[]): Promise<MetricsTable[]> {
  if (sections.length === 0) return [];
  let samples;
  try {
    samples = parseExposition(await fetchPage(url));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`metrics: ${url}: ${errorMessage(e)}`, 1);
  }
  return metricsTables(samples, sections);
}

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'print the cscli metrics tables (acquisition, parsers, scenarios, LAPI, bouncers...) of a running Picket',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      'metrics',
      argv,
      {
        url: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
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
    const { sections, named } = askedSections(positionals);
    const config = values.config as string | undefined;
    const url = pageUrl(values.url as string | undefined, config);
    const tables = await pageTables(
      url,
      sections.filter((s) => !STORE_SECTIONS.includes(s)),
    );
    // the store is read when `bouncers` is asked for; in the default "all sections" a store that cannot be
    // opened (another user's data folder...) leaves the section out instead of failing the whole command
    const usageOf = !sections.includes('bouncers')
      ? undefined
      : named
        ? await storedUsage(values.data as string | undefined, config)
        : await storedUsage(values.data as string | undefined, config).catch(() => undefined);
    if (fmt === 'json') {
      const out: Record<string, unknown> = tablesJSON(tables);
      if (usageOf !== undefined) out.bouncers = usageJSON(usageOf);
      io.out(JSON.stringify(out, null, 2));
      return 0;
    }
    const shown = tables.filter((t) => t.rows.length > 0 || named);
    const parts = shown.map((t) => `${t.title}:\n${renderTable(t.headers, t.rows)}`);
    if (usageOf !== undefined && usageOf.length > 0) parts.push(renderUsageTables(usageOf));
    else if (usageOf !== undefined && named) parts.push('No bouncer metrics found.');
    io.out(parts.join('\n\n') || 'no metrics yet');
    return 0;
  },
};
