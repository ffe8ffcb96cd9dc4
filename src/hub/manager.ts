// The hub operations of cscli: update the index, install / remove / upgrade items with their collection
// dependencies. Owns: dependency resolution (nested collections, cycles, unknown names), deciding what each
// item needs (download, enable, nothing; local and tainted items are left alone without --force), removing
// (a dependency another enabled collection still needs stays), and the source URL remembered by `hub update`.

import fs from 'node:fs';
import path from 'node:path';
import { applyPlan, atomicWrite, type PlanStep } from './apply.js';
import {
  HubError,
  ITEM_TYPES,
  MAX_INDEX_BYTES,
  parseIndex,
  type HubIndex,
  type IndexItem,
  type ItemType,
} from './index-file.js';
import { DEFAULT_HUB_URL, openSource, type HubSource } from './source.js';
import { downloadedPath, enabledPath, findItem, indexPathOf, itemState, readIndex, type HubLayout } from './state.js';

export interface HubOptions {
  force?: boolean;
  purge?: boolean;
  downloadOnly?: boolean;
}

export interface HubResult {
  changes: string[];
  warnings: string[];
}

const SOURCE_FILE = '.picket-source';

/** The hub source to use: --url, else the config's hub_url, else the one `hub update` last used, else CrowdSec's. */
export function resolveSourceSpec(l: HubLayout, explicit?: string): string {
  if (explicit) return explicit;
  try {
    const s = fs.readFileSync(path.join(l.hubDir, SOURCE_FILE), 'utf8').trim();
    if (s) return s;
  } catch {
    /* never updated */
  }
  return DEFAULT_HUB_URL;
}

/** `hub update`: fetches and checks the index, writes it to hub_dir (atomically), remembers the source. */
export async function updateIndex(l: HubLayout, spec: string): Promise<HubIndex> {
  const source = openSource(spec);
  const bytes = await source.read('.index.json', MAX_INDEX_BYTES);
  const index = parseIndex(bytes.toString('utf8'), `${source.where}/.index.json`);
  atomicWrite(indexPathOf(l), bytes);
  atomicWrite(path.join(l.hubDir, SOURCE_FILE), `${spec}\n`);
  return index;
}

/** The item and everything it pulls in, dependencies first, each once. */
export function closure(index: HubIndex, roots: IndexItem[]): IndexItem[] {
  const out: IndexItem[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (item: IndexItem, from: string): void => {
    const key = `${item.type}:${item.name}`;
    if (done.has(key)) return;
    if (visiting.has(key))
      throw new HubError('HUB_DEPENDENCY_CYCLE', `collection ${item.name} includes itself (via ${from})`);
    visiting.add(key);
    for (const type of ITEM_TYPES) {
      for (const dep of item.deps[type]) {
        const d = index.items[type].get(dep);
        if (d === undefined)
          throw new HubError('HUB_UNKNOWN_ITEM', `${item.name} needs ${type} '${dep}', which the index does not have`);
        visit(d, item.name);
      }
    }
    visiting.delete(key);
    done.add(key);
    out.push(item);
  };
  for (const r of roots) visit(r, r.name);
  return out;
}

export class HubManager {
  private indexCache: HubIndex | null = null;

  constructor(
    readonly layout: HubLayout,
    private readonly sourceSpec: string,
  ) {}

  get index(): HubIndex {
    return (this.indexCache ??= readIndex(this.layout));
  }

  private source(): HubSource {
    return openSource(this.sourceSpec);
  }

  /** What `item` needs so that it is present and enabled at the latest version (upgrade: only when installed). */
  private stepFor(item: IndexItem, o: HubOptions, upgrade: boolean, warnings: string[]): PlanStep | null {
    const st = itemState(this.layout, item);
    if (st.local) {
      warnings.push(`${item.name} is a local item, leaving it as it is`);
      return null;
    }
    const enable = !st.enabled && !o.downloadOnly;
    if (st.tainted && !o.force) {
      warnings.push(`${item.name} is tainted (modified locally), won't overwrite it: use --force`);
      return enable ? { item, download: false, enable } : null;
    }
    const download = !st.downloaded || !st.upToDate || o.force === true;
    if (!download && !enable) {
      if (!upgrade) warnings.push(`${item.name} is already installed and up to date`);
      return null;
    }
    return { item, download, enable };
  }

  async install(type: ItemType, names: string[], o: HubOptions = {}): Promise<HubResult> {
    const roots = names.map((n) => findItem(this.index, type, n));
    const warnings: string[] = [];
    const steps = closure(this.index, roots)
      .map((it) => this.stepFor(it, o, false, warnings))
      .filter((s): s is PlanStep => s !== null);
    const changes = await applyPlan(this.layout, this.source(), steps, o.force === true, (w) => warnings.push(w));
    return { changes, warnings };
  }

  /** Upgrades the named items (all enabled ones of `type` when `names` is empty), pulling in new dependencies. */
  async upgrade(type: ItemType | null, names: string[], o: HubOptions = {}): Promise<HubResult> {
    const types = type === null ? ITEM_TYPES : [type];
    const roots: IndexItem[] = [];
    for (const t of types) {
      if (names.length && t === type) {
        for (const n of names) {
          const item = findItem(this.index, t, n);
          if (!itemState(this.layout, item).enabled) throw new HubError('HUB_NOT_INSTALLED', `${n} is not installed`);
          roots.push(item);
        }
      } else {
        for (const item of this.index.items[t].values()) if (itemState(this.layout, item).enabled) roots.push(item);
      }
    }
    const warnings: string[] = [];
    const steps = closure(this.index, roots)
      .map((it) => this.stepFor(it, { ...o, downloadOnly: false }, true, warnings))
      .filter((s): s is PlanStep => s !== null);
    const changes = await applyPlan(this.layout, this.source(), steps, o.force === true, (w) => warnings.push(w));
    if (!changes.length) warnings.push('everything is up to date');
    return { changes, warnings };
  }

  /** Disables the named items (collections: with the dependencies no other enabled collection needs). */
  remove(type: ItemType, names: string[], o: HubOptions = {}): HubResult {
    const roots = names.map((n) => findItem(this.index, type, n));
    const removing = closure(this.index, roots);
    const keep = this.neededByOthers(new Set(removing.map((i) => `${i.type}:${i.name}`)));
    const changes: string[] = [],
      warnings: string[] = [];
    for (const item of removing.reverse()) {
      const isRoot = roots.includes(item);
      if (!isRoot && keep.has(`${item.type}:${item.name}`)) continue;
      const st = itemState(this.layout, item);
      if (st.local) {
        warnings.push(`${item.name} is a local item: delete ${st.localPath} yourself`);
        continue;
      }
      if (!st.enabled && !(o.purge && st.downloaded)) {
        if (isRoot) warnings.push(`${item.name} is not installed`);
        continue;
      }
      if (st.tainted && !o.force) {
        warnings.push(`${item.name} is tainted (modified locally), use --force to remove it`);
        continue;
      }
      if (st.enabled) {
        fs.rmSync(enabledPath(this.layout, item), { force: true });
        changes.push(`disabled ${item.type} ${item.name}`);
      }
      if (o.purge && st.downloaded) {
        fs.rmSync(downloadedPath(this.layout, item), { force: true });
        changes.push(`purged ${item.type} ${item.name}`);
      }
    }
    return { changes, warnings };
  }

  /** Items that enabled collections outside `removing` pull in. */
  private neededByOthers(removing: Set<string>): Set<string> {
    const others = [...this.index.items.collections.values()].filter(
      (c) => !removing.has(`collections:${c.name}`) && itemState(this.layout, c).enabled,
    );
    let deps: IndexItem[] = [];
    try {
      deps = closure(this.index, others);
    } catch {
      /* a broken collection elsewhere keeps nothing */
    }
    return new Set(deps.map((i) => `${i.type}:${i.name}`));
  }
}
