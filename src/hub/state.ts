// The state of hub items on disk, as cscli computes it: an item is downloaded when its file is in hub_dir (at the
// index path), enabled when config_dir/<type>/[<stage>/]<file name> exists, tainted when the downloaded file
// matches none of the index's digests (edited by hand), up to date when it matches the latest version's digest,
// and local when the enabled file is a plain file rather than a link into the hub. Owns: the folder layout,
// the index file location, reading the state of one item or all of them (local items included).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  HubError,
  ITEM_TYPES,
  parseIndex,
  versionOfDigest,
  type HubIndex,
  type IndexItem,
  type ItemType,
} from './index-file.js';

export interface HubLayout {
  /** downloaded items and `.index.json` (CrowdSec: /var/lib/crowdsec/hub) */
  hubDir: string;
  /** enabled items: <configDir>/<type>/... links (CrowdSec: /etc/crowdsec) */
  configDir: string;
  /** `data:` files (CrowdSec: /var/lib/crowdsec/data) */
  dataDir: string;
}

export interface ItemState {
  type: ItemType;
  name: string;
  /** null: a local item the index does not know */
  item: IndexItem | null;
  downloaded: boolean;
  enabled: boolean;
  local: boolean;
  tainted: boolean;
  upToDate: boolean;
  /** the version the file on disk is ('?' tainted, '' not downloaded or local) */
  localVersion: string;
  /** sha256 of the file on disk ('' when none) */
  localHash: string;
  /** the enabled file, or the downloaded one when not enabled ('' when neither) */
  localPath: string;
}

export function indexPathOf(l: HubLayout): string {
  return path.join(l.hubDir, '.index.json');
}

/** Reads hub_dir/.index.json; a missing index is a HubError telling to run `picket hub update`. */
export function readIndex(l: HubLayout): HubIndex {
  const file = indexPathOf(l);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HubError('HUB_NO_INDEX', `no hub index at ${file}: run 'picket hub update' first`);
    }
    throw new HubError('HUB_NO_INDEX', `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseIndex(text, file);
}

export function downloadedPath(l: HubLayout, item: IndexItem): string {
  return path.join(l.hubDir, item.path);
}

/** config_dir/<type>/[<stage>/]<file name>: where cscli links an enabled item */
export function enabledPath(l: HubLayout, item: IndexItem): string {
  const base = path.basename(item.path);
  return item.stage ? path.join(l.configDir, item.type, item.stage, base) : path.join(l.configDir, item.type, base);
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** The state of one index item. */
export function itemState(l: HubLayout, item: IndexItem): ItemState {
  const dl = downloadedPath(l, item),
    en = enabledPath(l, item);
  const st: ItemState = {
    type: item.type,
    name: item.name,
    item,
    downloaded: false,
    enabled: false,
    local: false,
    tainted: false,
    upToDate: false,
    localVersion: '',
    localHash: '',
    localPath: '',
  };
  const enStat = lstatOrNull(en);
  if (enStat !== null) {
    st.enabled = true;
    st.localPath = en;
    if (!enStat.isSymbolicLink()) {
      // a plain file where the hub item would be linked: cscli reports it as a local item
      st.local = true;
      st.localHash = sha256File(en);
      return st;
    }
  }
  if (fs.existsSync(dl)) {
    st.downloaded = true;
    if (st.localPath === '') st.localPath = dl;
    st.localHash = sha256File(dl);
    const v = versionOfDigest(item, st.localHash);
    st.tainted = v === undefined;
    st.localVersion = v ?? '?';
    st.upToDate = v === item.version;
  }
  return st;
}

/** A collection is tainted when one of its (enabled) dependencies is. */
function taintCollections(index: HubIndex, states: Map<string, ItemState>): void {
  const seen = new Set<string>();
  const visit = (name: string): boolean => {
    const s = states.get(`collections:${name}`);
    if (s === undefined || seen.has(name)) return s?.tainted ?? false;
    seen.add(name);
    const item = index.items.collections.get(name);
    let t = s.tainted;
    for (const type of ITEM_TYPES) {
      for (const dep of item?.deps[type] ?? []) {
        t = (type === 'collections' ? visit(dep) : states.get(`${type}:${dep}`)?.tainted === true) || t;
      }
    }
    s.tainted = t;
    return t;
  };
  for (const name of index.items.collections.keys()) visit(name);
}

function localItems(l: HubLayout, type: ItemType, known: Set<string>): ItemState[] {
  const out: ItemState[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/.test(e.name) && !known.has(p)) {
        out.push({
          type,
          name: e.name,
          item: null,
          downloaded: false,
          enabled: true,
          local: true,
          tainted: false,
          upToDate: true,
          localVersion: '',
          localHash: sha256File(p),
          localPath: p,
        });
      }
    }
  };
  walk(path.join(l.configDir, type));
  return out;
}

/** Every item of the index, plus the local ones found in config_dir; key `type:name`. */
export function allStates(l: HubLayout, index: HubIndex): Map<string, ItemState> {
  const states = new Map<string, ItemState>();
  for (const type of ITEM_TYPES) {
    const known = new Set<string>();
    for (const item of index.items[type].values()) {
      const s = itemState(l, item);
      states.set(`${type}:${item.name}`, s);
      known.add(enabledPath(l, item));
    }
    for (const s of localItems(l, type, known)) states.set(`${type}:${s.name}`, s);
  }
  taintCollections(index, states);
  return states;
}

/** The index item `type/name`, or a HubError naming what is missing. */
export function findItem(index: HubIndex, type: ItemType, name: string): IndexItem {
  const item = index.items[type].get(name);
  if (item === undefined) throw new HubError('HUB_UNKNOWN_ITEM', `can't find '${name}' in ${type}`);
  return item;
}
