// `npm run bench`: runs every benchmark in bench/ as a child process, one after the other, and prints their
// output (plus a summary of exit codes). Extra arguments are passed to parse.bench only (e.g. --lines 200000).
// Owns: bench/run.ts only.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runs: Array<{ name: string; file: string; argv: string[] }> = [
  { name: 'parse', file: 'parse.bench.js', argv: args },
  { name: 'buckets', file: 'buckets.bench.js', argv: [] },
  { name: 'replay', file: 'replay.bench.js', argv: [] },
  { name: 'latency', file: 'latency.bench.js', argv: [] },
  { name: 'lapi', file: 'lapi.bench.js', argv: [] },
  { name: 'radix', file: 'radix.bench.js', argv: [] },
  // ground truth needs a log: the generated ssh log cached by parse.bench
];
const results: string[] = [];
for (const r of runs) {
  const f = path.join(here, r.file);
  if (!existsSync(f)) { results.push(`${r.name}: not present`); continue; }
  process.stdout.write(`\n=== ${r.name} (node ${path.relative(process.cwd(), f)} ${r.argv.join(' ')}) ===\n`);
  const p = spawnSync(process.execPath, ['--expose-gc', f, ...r.argv], { stdio: 'inherit' });
  results.push(`${r.name}: exit ${p.status ?? p.signal}`);
}
const gt = path.join(here, 'ground-truth.js');
const tmp = process.env.TMPDIR ?? '/tmp';
const log = path.join(tmp, 'picket-bench', `ssh-${1_000_000}-seed1.log`);
if (existsSync(gt) && existsSync(log)) {
  process.stdout.write(`\n=== ground-truth (ssh log, no truth file) ===\n`);
  const p = spawnSync(process.execPath, [gt, '--log', log, '--type', 'syslog', '--truth', ''], { stdio: 'inherit' });
  results.push(`ground-truth: exit ${p.status ?? p.signal}`);
} else results.push('ground-truth: skipped (no generated log)');
process.stdout.write(`\n=== summary ===\n${results.join('\n')}\n`);
process.exitCode = results.some((r) => /exit [^0]/.test(r)) ? 1 : 0;
