// How hub items are shown, in cscli's words: the status (`enabled`, `disabled`, `,local`, `,tainted`,
// `,update-available`) with its emoji, the `-o json` object per item (name, status, local_version, local_path,
// description, utf8_status) and the `inspect` view. Owns: these shapes.

import { ITEM_TYPES, type ItemType } from './index-file.js';
import type { ItemState } from './state.js';

export interface ItemJSON {
  name: string;
  status: string;
  local_version: string;
  local_path: string;
  description: string;
  utf8_status: string;
}

export function statusOf(s: ItemState): string {
  const parts = [s.enabled ? 'enabled' : 'disabled'];
  if (s.local) parts.push('local');
  else if (s.tainted) parts.push('tainted');
  else if (s.downloaded && !s.upToDate) parts.push('update-available');
  return parts.join(',');
}

export function utf8Status(s: ItemState): string {
  const emoji = !s.enabled ? '🚫' : s.local ? '🏠' : s.tainted || !s.upToDate ? '⚠️' : '✔️';
  return `${emoji}  ${statusOf(s)}`;
}

export function itemJSON(s: ItemState): ItemJSON {
  return {
    name: s.name,
    status: statusOf(s),
    local_version: s.localVersion,
    local_path: s.localPath,
    description: s.item?.description ?? '',
    utf8_status: utf8Status(s),
  };
}

/** The items to list: enabled ones (all of them with `all`), by type then name. */
export function listed(
  states: Map<string, ItemState>,
  types: readonly ItemType[],
  all: boolean,
  names: string[] = [],
): Record<ItemType, ItemState[]> {
  const out = {} as Record<ItemType, ItemState[]>;
  for (const t of types) out[t] = [];
  for (const s of states.values()) {
    if (!types.includes(s.type)) continue;
    if (names.length ? !names.includes(s.name) : !all && !s.enabled) continue;
    out[s.type].push(s);
  }
  for (const t of types) out[t].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** `inspect`: every field of the index entry and of the state on disk. */
export function inspectJSON(s: ItemState): Record<string, unknown> {
  const it = s.item;
  const o: Record<string, unknown> = {
    type: s.type,
    name: s.name,
    stage: it?.stage || undefined,
    path: it?.path,
    version: it?.version,
    description: it?.description ?? '',
    author: it?.author ?? '',
    local_path: s.localPath,
    local_version: s.localVersion,
    local_hash: s.localHash,
    installed: s.enabled,
    downloaded: s.downloaded,
    up_to_date: s.upToDate,
    tainted: s.tainted,
    local: s.local,
    status: statusOf(s),
  };
  if (it && s.type === 'collections') for (const t of ITEM_TYPES) if (it.deps[t].length) o[t] = it.deps[t];
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
