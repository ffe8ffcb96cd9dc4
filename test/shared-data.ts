// Where tests and benchmarks find the shared reference data (hub, hub-tests, tools/gen-logs.mjs): the folder
// named by PICKET_SHARED, else `../shared` beside the repository root. Never an absolute path of one machine.
// Without the data, tests skip with a message saying what is missing (`skipUnless`).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/shared-data.ts, compiled to dist/test/shared-data.js). */
const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, path.basename(path.dirname(here)) === 'dist' ? '../..' : '..');

/** The shared reference data folder. */
export const SHARED_DIR = process.env.PICKET_SHARED
  ? path.resolve(process.env.PICKET_SHARED)
  : path.resolve(REPO_ROOT, '../shared');

/** A path inside the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

/** For `{ skip }`: false when every given path exists, else a message naming the first missing one. */
export function skipUnless(...paths: string[]): string | false {
  const missing = paths.find((p) => !fs.existsSync(p));
  return missing === undefined
    ? false
    : `shared reference data missing: ${missing} (set PICKET_SHARED or put the data at ../shared)`;
}
