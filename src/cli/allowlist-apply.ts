// What `picket allowlists add|import` do besides storing items, as CrowdSec 1.6+: the active decisions an added
// item covers (Ip/Range decisions inside the item's range, simulated ones included) expire at once, so
// bouncers drop them on their next poll; and the CSV of `allowlists import` (header with a `value` column,
// optional `expiration` duration and `comment`). Owns: that expiry and that file format.

import { CliError } from './command.js';
import { splitCsv } from './decision-input.js';
import { parseIpOrRange } from '../store/iprange.js';
import { openLapiStore } from '../store/lapi-store.js';
import type { PicketStore } from '../store/lmdb.js';
import { expireCoveredDecisions, type NewAllowlistItem } from '../store/allowlists.js';
import { parseWireDuration } from '../api/wire-time.js';

/** expires the active Ip/Range decisions contained in any of `values`; returns how many expired */
export async function expireCovered(env: PicketStore, values: readonly string[], now: number): Promise<number> {
  const store = openLapiStore(env, { syncIntervalMs: 0 });
  try {
    return await expireCoveredDecisions(store, values, now);
  } finally {
    await store.close();
  }
}

const COLUMNS = new Set(['value', 'expiration', 'comment']);

/** the items of an allowlist CSV; every error names the file and line */
export function parseAllowlistCsv(text: string, file: string, now: number): NewAllowlistItem[] {
  const out: NewAllowlistItem[] = [];
  let header: string[] | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = `${file}:${i + 1}`;
    if (lines[i].trim() === '') continue;
    const cells = splitCsv(lines[i]);
    if (header === null) {
      header = cells.map((c) => c.toLowerCase());
      const unknown = header.find((h) => !COLUMNS.has(h));
      if (unknown !== undefined)
        throw new CliError(`${at}: unknown CSV column '${unknown}' (expected value, expiration, comment)`, 1);
      if (!header.includes('value')) throw new CliError(`${at}: the CSV header needs a 'value' column`, 1);
      continue;
    }
    if (cells.length !== header.length)
      throw new CliError(`${at}: ${cells.length} fields, the header has ${header.length}`, 1);
    const row = new Map(header.map((h, k) => [h, cells[k]]));
    const value = row.get('value') ?? '';
    if (parseIpOrRange(value) === null) throw new CliError(`${at}: '${value}' is not an IP address or a CIDR range`, 1);
    const exp = row.get('expiration') ?? '';
    let expiration: number | null = null;
    if (exp !== '') {
      const ms = parseWireDuration(exp);
      if (ms === null || ms <= 0)
        throw new CliError(`${at}: expiration '${exp}' is not a positive duration (e.g. 24h, 7d)`, 1);
      expiration = now + ms;
    }
    out.push({ value, description: row.get('comment') ?? '', expiration });
  }
  if (header === null) throw new CliError(`${file}: empty (expected a CSV header with a 'value' column)`, 1);
  return out;
}
