// How the benches start the `picket` command: the same node, with the V8 flags of bin/picket.js's shebang (the
// flags an installed `picket` runs with), so a bench measures what a user runs. Owns: that path and those flags.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PICKET_BIN = path.join(ROOT, 'bin/picket.js');

/** `#!/usr/bin/env -S node --flag ...` -> ['--flag', ...] */
export function shebangNodeFlags(file: string = PICKET_BIN): string[] {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\S*env\s+(?:-S\s+)?node\b(.*)$/.exec(first);
  if (!m) throw new Error(`${file}: first line is not a node shebang: ${first}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

/** argv for process.execPath: the shebang's flags, the bin, then `args` */
export function picketArgv(args: readonly string[]): string[] {
  return [...shebangNodeFlags(), PICKET_BIN, ...args];
}
