// Applying a plan of hub changes in two phases, so that a failure leaves nothing half-installed: first every
// item file is fetched and checked against the index's sha256 digest and every `data:` file it declares is
// fetched (all in memory, nothing on disk yet; a mismatch or a failed fetch stops here), then the files are
// written (temporary name + rename: a file is either the old one or the complete new one) and the links that
// enable the items created (also temp + rename). Owns: the two phases, atomic file and link writes.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import { dataFilesOf } from './data-files.js';
import { HubError, type IndexItem } from './index-file.js';
import { MAX_ITEM_BYTES, type HubSource } from './source.js';
import { downloadedPath, enabledPath, type HubLayout } from './state.js';

export interface PlanStep {
  item: IndexItem;
  /** fetch the latest version into hub_dir */
  download: boolean;
  /** create the link in config_dir */
  enable: boolean;
}

interface Fetched {
  item: IndexItem;
  bytes: Buffer;
}

function tmpName(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.picket-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** Writes `bytes` to `file` through a temporary file in the same folder and a rename. */
export function atomicWrite(file: string, bytes: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tmpName(file);
  try {
    fs.writeFileSync(tmp, bytes, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Points `link` at `target` (replacing what is there) through a temporary link and a rename. */
export function atomicSymlink(target: string, link: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const tmp = tmpName(link);
  try {
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

async function fetchItem(source: HubSource, item: IndexItem): Promise<Fetched> {
  const bytes = await source.read(item.path, MAX_ITEM_BYTES);
  const hash = createHash('sha256').update(bytes).digest('hex');
  const want = item.versions[item.version]!.digest;
  if (hash !== want) {
    throw new HubError(
      'HUB_DIGEST_MISMATCH',
      `${item.type} ${item.name} ${item.version} from ${source.where}: sha256 ${hash} does not match ` +
        `the index's ${want}; nothing installed`,
    );
  }
  return { item, bytes };
}

/** Phase 1: fetch and check everything the plan needs; throws before anything is written. */
async function fetchAll(
  l: HubLayout,
  source: HubSource | null,
  steps: PlanStep[],
  force: boolean,
  warn: (s: string) => void,
): Promise<{ items: Fetched[]; data: Map<string, Buffer> }> {
  const items: Fetched[] = [];
  const data = new Map<string, Buffer>();
  for (const step of steps) {
    if (!step.download) continue;
    if (source === null)
      throw new HubError('HUB_NO_SOURCE', `no hub source to download ${step.item.name} from (give --url)`);
    const f = await fetchItem(source, step.item);
    items.push(f);
    for (const d of dataFilesOf(f.bytes.toString('utf8'), `${step.item.type} ${step.item.name}`)) {
      const dest = path.join(l.dataDir, d.destFile);
      if (data.has(dest) || (fs.existsSync(dest) && !force)) continue;
      try {
        data.set(dest, await source.readData(d.sourceUrl, d.destFile));
      } catch (e) {
        if (fs.existsSync(dest)) warn(`${step.item.name}: keeping the existing ${dest} (${errorMessage(e)})`);
        else if (source.local)
          warn(`${step.item.name}: data file ${dest} missing (${errorMessage(e)}); put it there by hand`);
        else throw e;
      }
    }
  }
  return { items, data };
}

/** Runs the plan; returns one message per change. */
export async function applyPlan(
  l: HubLayout,
  source: HubSource | null,
  steps: PlanStep[],
  force: boolean,
  warn: (s: string) => void,
): Promise<string[]> {
  const { items, data } = await fetchAll(l, source, steps, force, warn);
  const done: string[] = [];
  for (const [dest, bytes] of data) {
    atomicWrite(dest, bytes);
    done.push(`downloaded data file ${dest}`);
  }
  for (const f of items) {
    atomicWrite(downloadedPath(l, f.item), f.bytes);
    done.push(`downloaded ${f.item.type} ${f.item.name} ${f.item.version}`);
  }
  for (const step of steps) {
    if (!step.enable) continue;
    const link = enabledPath(l, step.item);
    const target = downloadedPath(l, step.item);
    if (!fs.existsSync(target)) throw new HubError('HUB_NOT_DOWNLOADED', `${step.item.name}: ${target} is missing`);
    atomicSymlink(target, link);
    done.push(`enabled ${step.item.type} ${step.item.name}`);
  }
  return done;
}
