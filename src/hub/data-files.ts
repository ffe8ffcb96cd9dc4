// The `data:` section of hub items: each entry's source_url and dest_file (relative to the data folder).
// Owns: reading these entries out of an item file (every YAML document of it) and refusing dest_file
// values that would land outside the data folder.

import YAML from 'yaml';
import { HubError, isSafeRelPath } from './index-file.js';

export interface DataFile {
  sourceUrl: string;
  destFile: string;
}

/** The data files an item file declares; `where` names the item in errors. */
export function dataFilesOf(text: string, where: string): DataFile[] {
  const out: DataFile[] = [];
  let docs: YAML.Document[];
  try {
    docs = YAML.parseAllDocuments(text) as YAML.Document[];
  } catch (e) {
    throw new HubError('HUB_BAD_ITEM', `${where}: not valid YAML: ${(e as Error).message}`);
  }
  if (!Array.isArray(docs)) return out;
  for (const d of docs) {
    if (d.errors.length)
      throw new HubError('HUB_BAD_ITEM', `${where}: not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    const raw = d.toJS({ maxAliasCount: 100 }) as unknown;
    if (typeof raw !== 'object' || raw === null) continue;
    const data = (raw as Record<string, unknown>).data;
    if (data === undefined || data === null) continue;
    if (!Array.isArray(data)) throw new HubError('HUB_BAD_ITEM', `${where}: data must be a list`);
    data.forEach((e: unknown, i) => {
      const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      const dest = entry.dest_file,
        src = entry.source_url;
      if (typeof dest !== 'string' || !isSafeRelPath(dest)) {
        throw new HubError(
          'HUB_BAD_ITEM',
          `${where}: data[${i}].dest_file must be a relative path inside the data folder`,
        );
      }
      out.push({ destFile: dest, sourceUrl: typeof src === 'string' ? src : '' });
    });
  }
  return out;
}
