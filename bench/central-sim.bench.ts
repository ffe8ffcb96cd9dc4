// `npm run bench -- --only central-sim`: Picket Central's consensus against the baselines over a simulated crowd
// (2,000 honest sites, 10% colluding poisoner accounts, 1,000 Sybils from 3 ASes, 30 days after a 3-day
// warm-up), seeds 1..R (R = --runs, default 1), with the elapsed time. Results: bench/RESULTS.md.
// Owns: bench/central-sim.bench.ts only.

import { runSimulate } from '../src/cli/central-simulate.js';

const args = process.argv.slice(2);
const started = Date.now();
const code = await runSimulate(args.length ? args : ['--runs', '1'], {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
});
process.stdout.write(`elapsed ${((Date.now() - started) / 1000).toFixed(1)} s (node ${process.version})\n`);
process.exitCode = code;
