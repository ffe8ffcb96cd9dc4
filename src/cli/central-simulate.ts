// `picket central simulate`: runs the real consensus and the baselines over a simulated crowd (see run.ts) and
// prints the metrics as a table, or as JSON with --json. `--runs R` runs seeds K..K+R-1 and adds a summary.
// Owns flag parsing, the table and the summary; wired by the `central` command.

import { CliError, parseOptions, type CliIO } from './command.js';
import { loadConsensusConfig } from '../central/consensus/config.js';
import type { Metrics } from '../central/simulate/metrics.js';
import type { SimParams } from '../central/simulate/population.js';
import { DEFAULT_PARAMS, runSimulation, type SimResult } from '../central/simulate/run.js';

export const SIMULATE_USAGE = `picket central simulate [--sites N] [--days D] [--poisoners F] [--sybils S] [--seed K]
  [--runs R] [--warmup D] [--poisoner-ases A] [--poisoner-sensors] [--sensor-accounts N] [--sybil-ases A]
  [--noise F] [--attackers-per-day N]
  [--config FILE] [--explain N] [--json]

Runs Picket Central's consensus (and the baselines k2, k3, k5, trust_rank, fed the same signals) over a simulated
crowd: ${DEFAULT_PARAMS.sites} honest sites, ${DEFAULT_PARAMS.days} days after a \
${DEFAULT_PARAMS.warmupDays}-day warm-up, poisoner accounts as a share of sites (${DEFAULT_PARAMS.poisoners}),
Sybils (${DEFAULT_PARAMS.sybils}) from --sybil-ases ASes (${DEFAULT_PARAMS.sybilAses}), deterministic for a seed.
--poisoner-sensors: the on-off poisoners run real sensors in their honest phase (they earn weight as honest sites
do); --sensor-accounts N: only N of them do (N = 1: one weighted account lent to the colluders). --config reads the
consensus: section of a YAML file. --explain N says why the consensus listed attackers late (over 15 min after their third
honest report) or never: counts by what the evidence lacked, and N examples with each honest reporter's weight.
See docs/CONSENSUS.md.`;

const ROWS: Array<[keyof Metrics, string]> = [
  ['precision', 'precision'],
  ['targets_listed', 'targets listed'],
  ['canaries_listed', 'canaries listed'],
  ['innocents_listed', 'innocents listed'],
  ['recall', 'recall'],
  ['prevented', 'prevented'],
  ['time_to_list_p50_s', 'time to list p50 (s)'],
  ['time_to_list_p95_s', 'time to list p95 (s)'],
  ['max_listed_after_last_report_s', 'max listed after last report (s)'],
  ['list_size_max', 'list size max'],
  ['collateral_hours', 'collateral hours'],
  ['false_appeals_relisted', 'false appeals relisted'],
];

function num(name: string, v: string | undefined, min: number, max: number, int = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
    throw new CliError(
      `central simulate: --${name}: expected ${int ? 'a whole number' : 'a number'} in [${min}, ${max}], got "${v}"`,
    );
  }
  return n;
}

export function metricsTable(r: SimResult): string {
  const cols: Array<[string, Metrics]> = [['consensus', r.consensus], ...Object.entries(r.baselines)];
  const head = ['metric'.padEnd(34), ...cols.map(([n]) => n.padStart(11))].join('');
  const lines = ROWS.map(([k, label]) =>
    [label.padEnd(34), ...cols.map(([, m]) => String(m[k]).padStart(11))].join(''),
  );
  const w = r.world;
  return [
    `${w.sites} sites, ${w.poisoners} poisoners, ${w.sybils} sybils, ${w.attackers} attackers, ${w.signals} signals, ` +
      `${w.days} days (+${w.warmup_days} warm-up), tick ${w.tick_s} s; targets ${r.consensus.targets}, ` +
      `recall population ${r.consensus.recall_population}, false appeals ${r.consensus.false_appeals}`,
    head,
    ...lines,
    `bytes out per site per day (consensus list): ${r.bytes_out_per_site_day}`,
  ].join('\n');
}

/** The --explain section of the table output ('' without --explain). */
function explainText(r: SimResult): string {
  const x = r.explain;
  if (!x) return '';
  const counts = (m: Record<string, number>): string[] =>
    Object.entries(m)
      .sort((p, q) => q[1] - p[1])
      .map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`);
  return [
    `consensus: ${x.slow} attackers listed more than 15 min after their third honest report, ${x.missed} never`,
    'what their evidence lacked at third report + 15 min:',
    ...counts(x.verdicts),
    'why their weightless honest reporters had no weight:',
    ...counts(x.weightless),
    'examples (reports: [site, minutes from third report, weight, network, why weightless]):',
    ...x.examples.map((e) => `  ${JSON.stringify(e)}`),
    '',
  ].join('\n');
}

/** Mean and worst value per metric over runs (worst: min for shares, max for counts and times). */
export function summarize(rs: SimResult[]): Record<string, Record<string, { mean: number; worst: number }>> {
  const out: Record<string, Record<string, { mean: number; worst: number }>> = {};
  const names = ['consensus', 'k2', 'k3', 'k5', 'trust_rank'] as const;
  for (const n of names) {
    const ms = rs.map((r) => (n === 'consensus' ? r.consensus : r.baselines[n]));
    out[n] = {};
    for (const [k] of ROWS) {
      const xs = ms.map((m) => m[k]);
      const higherBetter = k === 'precision' || k === 'recall' || k === 'prevented';
      out[n][k] = {
        mean: Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10_000) / 10_000,
        worst: higherBetter ? Math.min(...xs) : Math.max(...xs),
      };
    }
  }
  return out;
}

export async function runSimulate(args: string[], io: CliIO): Promise<number> {
  const { values: v } = parseOptions('central simulate', args, {
    sites: { type: 'string' },
    days: { type: 'string' },
    poisoners: { type: 'string' },
    sybils: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    'poisoner-ases': { type: 'string' },
    'poisoner-sensors': { type: 'boolean' },
    'sensor-accounts': { type: 'string' },
    'sybil-ases': { type: 'string' },
    noise: { type: 'string' },
    'attackers-per-day': { type: 'string' },
    config: { type: 'string' },
    explain: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (v.help) {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  const p: SimParams = {
    ...DEFAULT_PARAMS,
    sites: num('sites', v.sites, 10, 1_000_000) ?? DEFAULT_PARAMS.sites,
    days: num('days', v.days, 1, 365) ?? DEFAULT_PARAMS.days,
    warmupDays: num('warmup', v.warmup, 0, 60) ?? DEFAULT_PARAMS.warmupDays,
    poisoners: num('poisoners', v.poisoners, 0, 1, false) ?? DEFAULT_PARAMS.poisoners,
    sybils: num('sybils', v.sybils, 0, 1_000_000) ?? DEFAULT_PARAMS.sybils,
    seed: num('seed', v.seed, 0, 2 ** 32 - 1) ?? DEFAULT_PARAMS.seed,
    poisonerAses: num('poisoner-ases', v['poisoner-ases'], 1, 600) ?? DEFAULT_PARAMS.poisonerAses,
    poisonerSensors: (v['poisoner-sensors'] ?? false) || v['sensor-accounts'] !== undefined,
    sensorAccounts: num('sensor-accounts', v['sensor-accounts'], 0, 1_000_000) ?? -1,
    sybilAses: num('sybil-ases', v['sybil-ases'], 1, 1000) ?? DEFAULT_PARAMS.sybilAses,
    noise: num('noise', v.noise, 0, 0.5, false) ?? DEFAULT_PARAMS.noise,
    attackersPerDay: num('attackers-per-day', v['attackers-per-day'], 1, 10_000_000) ?? 0,
  };
  const runs = num('runs', v.runs, 1, 100) ?? 1;
  const explain = num('explain', v.explain, 1, 100_000) ?? 0;
  const cfg = v.config ? loadConsensusConfig(v.config) : {};
  const results: SimResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = runSimulation({ ...p, seed: p.seed + i }, cfg, explain);
    results.push(r);
    if (!v.json) io.out(`${runs > 1 ? `seed ${p.seed + i}: ` : ''}${metricsTable(r)}\n${explainText(r)}`);
  }
  if (v.json) {
    const one = (r: SimResult) => ({
      consensus: r.consensus,
      baselines: r.baselines,
      bytes_out_per_site_day: r.bytes_out_per_site_day,
      world: r.world,
      ...(r.explain ? { explain: r.explain } : {}),
    });
    io.out(JSON.stringify(runs === 1 ? one(results[0]!) : { runs: results.map(one), summary: summarize(results) }));
  } else if (runs > 1) {
    const s = summarize(results);
    io.out(`summary over ${runs} seeds (mean / worst):`);
    for (const [k, label] of ROWS)
      io.out([label.padEnd(34), ...Object.values(s).map((m) => `${m[k]!.mean}/${m[k]!.worst}`.padStart(18))].join(''));
  }
  return 0;
}
