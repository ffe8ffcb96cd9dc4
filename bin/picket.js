#!/usr/bin/env node
// Entry point of the `picket` command: runs the compiled CLI from dist/.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`picket: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
