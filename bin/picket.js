#!/usr/bin/env -S node --max-semi-space-size=2
// Entry point of the `picket` command: runs the compiled CLI from dist/.
//
// Memory: Picket's live data is small (content, buckets, a batch of lines) but every line allocates short-lived
// objects, and V8's defaults size the heap for that turnover, not for the live data: a 16 MiB semi-space (32 MiB
// young generation, committed once grown) and an old space allowed to grow to ~4x the live data before a full GC.
// The shebang's --max-semi-space-size=2 (young generation flags only take effect at start) and the old-space
// growth factor set below (read by V8 at every GC, so settable here) keep a replay near its live data. Measured on
// 1M-line replays with CrowdSec's Debian content (bench/RESULTS.md): nginx in-process 161 -> 138 MB, sshd
// 299 -> 269 MB, at the same lines/s. V8 flags are per process: worker threads inherit both.
// `node bin/picket.js` (no shebang) gets the old-space factor only.
import v8 from 'node:v8';
import { main } from '../dist/src/cli/main.js';

v8.setFlagsFromString('--heap-growing-percent=30');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`picket: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
