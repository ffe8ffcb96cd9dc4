// CrowdSec's hub index (`.index.json`): the items of each type with their path in the hub, latest version, the
// sha256 digest of every version, and (collections) the items they pull in. Owns: parsing and validating it
// (a hostile or broken index is refused with the item and field named: paths stay relative and inside the
// hub, names are `author/name`, digests are 64 hex digits), and the item vocabulary the rest of src/hub uses.

import { PicketError } from '../core/errors.js';

/** Item types Picket installs, in the order cscli lists them (a collection's dependencies first). */
export const ITEM_TYPES = ['parsers', 'postoverflows', 'scenarios', 'contexts', 'collections'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export interface VersionInfo {
  digest: string;
  deprecated: boolean;
}

export interface IndexItem {
  type: ItemType;
  /** `author/name` */
  name: string;
  /** relative path in the hub (`parsers/s01-parse/crowdsecurity/sshd-logs.yaml`) */
  path: string;
  /** parsers and postoverflows: `s01-parse`... */
  stage: string;
  /** latest version */
  version: string;
  versions: Record<string, VersionInfo>;
  description: string;
  author: string;
  /** collections: the items they pull in, by type */
  deps: Record<ItemType, string[]>;
}

export interface HubIndex {
  /** by type, then name */
  items: Record<ItemType, Map<string, IndexItem>>;
}

export class HubError extends PicketError {}

export const MAX_INDEX_BYTES = 32 * 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const STAGE_RE = /^[A-Za-z0-9_-]+$/;
const DIGEST_RE = /^[0-9a-f]{64}$/;

export function isItemType(s: string): s is ItemType {
  return (ITEM_TYPES as readonly string[]).includes(s);
}

export function emptyDeps(): Record<ItemType, string[]> {
  return { parsers: [], postoverflows: [], scenarios: [], contexts: [], collections: [] };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A relative path with no `..`, no absolute start, no backslash or NUL: safe to join under the hub folder. */
export function isSafeRelPath(p: string): boolean {
  if (p === '' || p.startsWith('/') || /[\\\0]/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function parseItem(type: ItemType, name: string, raw: unknown, origin: string): IndexItem {
  const bad = (why: string): never => {
    throw new HubError('HUB_BAD_INDEX', `${origin}: ${type} '${name}': ${why}`);
  };
  if (!NAME_RE.test(name)) bad('the name must be author/name (letters, digits, _ . -)');
  if (!isObj(raw)) return bad('expected an object');
  const str = (k: string, required: boolean): string => {
    const v = raw[k];
    if (v === undefined || v === null) return required ? bad(`${k} is missing`) : '';
    if (typeof v !== 'string') return bad(`${k} must be a string`);
    return v;
  };
  const path = str('path', true);
  if (!isSafeRelPath(path) || !path.startsWith(`${type}/`) || !/\.ya?ml$/.test(path)) {
    bad(`path '${path}' must be a relative ${type}/... .yaml path inside the hub`);
  }
  const stage = type === 'parsers' || type === 'postoverflows' ? str('stage', false) || path.split('/')[1] : '';
  if (stage !== '' && !STAGE_RE.test(stage)) bad(`stage '${stage}' is not a folder name`);
  const version = str('version', true);
  if (!isObj(raw.versions)) bad('versions must be an object');
  const versions: Record<string, VersionInfo> = {};
  for (const [v, info] of Object.entries(raw.versions as Record<string, unknown>)) {
    if (!isObj(info) || typeof info.digest !== 'string' || !DIGEST_RE.test(info.digest)) {
      bad(`versions.${v}.digest must be 64 lowercase hex digits`);
    }
    const i = info as Record<string, unknown>;
    versions[v] = { digest: i.digest as string, deprecated: i.deprecated === true };
  }
  if (versions[version] === undefined) bad(`version ${version} is not in versions`);
  const deps = emptyDeps();
  if (type === 'collections') {
    for (const t of ITEM_TYPES) {
      const list = raw[t];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) bad(`${t} must be a list of names`);
      deps[t] = list as string[];
    }
  }
  return {
    type,
    name,
    path,
    stage,
    version,
    versions,
    description: str('description', false),
    author: str('author', false),
    deps,
  };
}

/** Parses an index; `origin` names it in errors. Unknown item types (appsec-rules, waap...) are ignored. */
export function parseIndex(text: string, origin: string): HubIndex {
  if (text.length > MAX_INDEX_BYTES)
    throw new HubError('HUB_BAD_INDEX', `${origin}: index larger than ${MAX_INDEX_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HubError('HUB_BAD_INDEX', `${origin}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(raw)) throw new HubError('HUB_BAD_INDEX', `${origin}: expected a JSON object of item types`);
  const items = {
    parsers: new Map(),
    postoverflows: new Map(),
    scenarios: new Map(),
    contexts: new Map(),
    collections: new Map(),
  } as HubIndex['items'];
  for (const type of ITEM_TYPES) {
    const section = raw[type];
    if (section === undefined || section === null) continue;
    if (!isObj(section)) throw new HubError('HUB_BAD_INDEX', `${origin}: ${type} must be an object of items`);
    for (const [name, it] of Object.entries(section)) items[type].set(name, parseItem(type, name, it, origin));
  }
  return { items };
}

/** The version whose digest is `hash`, or undefined (a modified file). */
export function versionOfDigest(item: IndexItem, hash: string): string | undefined {
  for (const [v, info] of Object.entries(item.versions)) if (info.digest === hash) return v;
  return undefined;
}
