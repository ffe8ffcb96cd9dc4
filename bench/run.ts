// `npm run bench`: runs every benchmark in bench/ as a child process, one after the other, and prints their
// output (plus a summary of exit codes). `--only replay,lapi` runs some of them; `--crowdsec` makes the replay
// benchmark run CrowdSec 1.4.6 side by side (../shared/peers); other arguments go to parse.bench
// (e.g. --lines 200000).
// Owns: bench/run.ts only.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string): boolean => {
  const i = argv.indexOf(name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};
const value = (name: string): string | null => {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const v = argv[i + 1] ?? '';
  argv.splice(i, 2);
  return v;
};
const crowdsec = flag('--crowdsec');
const only = value('--only')?.split(',') ?? null;
const args = argv;
const runs: Array<{ name: string; file: string; argv: string[] }> = [
  { name: 'parse', file: 'parse.bench.js', argv: args },
  { name: 'buckets', file: 'buckets.bench.js', argv: [] },
  { name: 'replay', file: 'replay.bench.js', argv: crowdsec ? ['--crowdsec'] : [] },
  { name: 'latency', file: 'latency.bench.js', argv: [] },
  { name: 'lapi', file: 'lapi.bench.js', argv: [] },
  // issue 13: 100,000 community decisions (origin CAPI) on top of the 100,000 local ones
  { name: 'lapi-crowd', file: 'lapi.bench.js', argv: ['--community', '100000', '--targets', 'picket,bare'] },
  { name: 'radix', file: 'radix.bench.js', argv: [] },
  { name: 'store', file: 'store.bench.js', argv: [] },
  { name: 'central', file: 'central.bench.js', argv: [] },
  { name: 'central-sim', file: 'central-sim.bench.js', argv: [] },
  // issue 11 §1: 1M-line address spray by default here (the 10M figure: node dist/bench/spray.bench.js)
  { name: 'spray', file: 'spray.bench.js', argv: ['--quick'] },
  { name: 'mmdb', file: 'mmdb.bench.js', argv: [] },
  // issue 11 §4: 100,000 decisions, 1,000 polling bouncers, 20 startup pulls, large alerts
  { name: 'stall', file: 'stall.bench.js', argv: [] },
  // issue 14: picket run's RSS with and without the default content's GeoIP/AS enrichment
  { name: 'run-rss', file: 'run-rss.bench.js', argv: [] },
  // ground truth needs a log: the generated ssh log cached by parse.bench
];
const results: string[] = [];
for (const r of runs) {
  if (only && !only.includes(r.name)) continue;
  const f = path.join(here, r.file);
  if (!existsSync(f)) {
    results.push(`${r.name}: not present`);
    continue;
  }
  process.stdout.write(`\n=== ${r.name} (node ${path.relative(process.cwd(), f)} ${r.argv.join(' ')}) ===\n`);
  const p = spawnSync(process.execPath, ['--expose-gc', f, ...r.argv], { stdio: 'inherit' });
  results.push(`${r.name}: exit ${p.status ?? p.signal}`);
}
const gt = path.join(here, 'ground-truth.js');
const tmp = process.env.TMPDIR ?? '/tmp';
const log = path.join(tmp, 'picket-bench', `ssh-${1_000_000}-seed1.log`);
if (only && !only.includes('ground-truth')) results.push('ground-truth: not selected');
else if (existsSync(gt) && existsSync(log)) {
  process.stdout.write(`\n=== ground-truth (ssh log, no truth file) ===\n`);
  const p = spawnSync(process.execPath, [gt, '--log', log, '--type', 'syslog', '--truth', ''], { stdio: 'inherit' });
  results.push(`ground-truth: exit ${p.status ?? p.signal}`);
} else results.push('ground-truth: skipped (no generated log)');
process.stdout.write(`\n=== summary ===\n${results.join('\n')}\n`);
process.exitCode = results.some((r) => /exit [^0]/.test(r)) ? 1 : 0;
