// What an enabled scenario file puts in its alerts' `scenario_hash` / `scenario_version`, as CrowdSec does from
// its hub state: a link into hub_dir to an item of the index -> the file's sha256 and the version whose digest
// it matches (`?` when none matches: tainted); a plain file or a link elsewhere (a custom scenario) -> empty
// hash and version. The crowd client's trust classes (certified, tainted, custom) are read from these.
// Owns: this mapping, built once per content load from hub_dir/.index.json.

import fs from 'node:fs';
import path from 'node:path';
import { versionOfDigest, type IndexItem } from './index-file.js';
import { readIndex, sha256File } from './state.js';
import { HubError } from './index-file.js';

export interface HubVersion {
  hash: string;
  version: string;
}

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** A lookup from a scenario file path to its hub hash and version; without an index, every file is custom. */
export function hubVersions(hubDir: string, dataDir = '', configDir = ''): (file: string) => HubVersion {
  const byReal = new Map<string, IndexItem>();
  try {
    const index = readIndex({ hubDir, dataDir, configDir });
    const realHub = realOrNull(hubDir) ?? path.resolve(hubDir);
    for (const items of Object.values(index.items)) {
      for (const it of items.values()) byReal.set(path.join(realHub, it.path), it);
    }
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
  }
  return (file) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      return { hash: '', version: '' };
    }
    if (!st.isSymbolicLink()) return { hash: '', version: '' };
    const real = realOrNull(file);
    const item = real === null ? undefined : byReal.get(real);
    if (item === undefined) return { hash: '', version: '' };
    const hash = sha256File(file);
    return { hash, version: versionOfDigest(item, hash) ?? '?' };
  };
}
