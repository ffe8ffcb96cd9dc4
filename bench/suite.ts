// The `benchmark` package (CommonJS, no types) as the benches use it: one typed `Suite` constructor.
// Owns: the loading and the typing of `benchmark`, nothing else.

import { createRequire } from 'node:module';

export interface BenchTarget {
  name: string;
  hz: number;
  stats: { rme: number };
}
export interface Suite {
  add(name: string, fn: () => void, opts?: Record<string, unknown>): Suite;
  on(ev: string, fn: (e: { target: BenchTarget }) => void): Suite;
  run(opts?: Record<string, unknown>): void;
}

const require = createRequire(import.meta.url);
export const Benchmark = require('benchmark') as { Suite: new () => Suite };
