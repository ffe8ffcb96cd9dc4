// What `picket hub` and the item commands (`picket parsers|scenarios|... install|remove|...`) share: the
// options, the hub layout from the config file (hub_dir, config_dir, data_dir; CrowdSec's config_paths) or
// flags, the hub source (--url > hub_url > the one `hub update` used > CrowdSec's), printing a result and
// the `list` output in the three formats. Owns: option precedence and HubError -> CliError.

import YAML from 'yaml';
import { CliError, type CliIO, type Options } from './command.js';
import { csvLine, type OutputFormat } from './output.js';
import { renderTable } from './table.js';
import { resolveConfig, ConfigError } from '../config/config.js';
import { DEFAULT_DATA_DIR } from '../config/defaults.js';
import { isPicketError } from '../core/errors.js';
import type { ItemType } from '../hub/index-file.js';
import { inspectJSON, itemJSON, listed, utf8Status } from '../hub/listing.js';
import { HubManager, resolveSourceSpec, type HubResult } from '../hub/manager.js';
import { allStates, type HubLayout, type ItemState } from '../hub/state.js';

export const HUB_OPTIONS = {
  config: { type: 'string' },
  'hub-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  data: { type: 'string' },
  url: { type: 'string' },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  purge: { type: 'boolean' },
  all: { type: 'boolean', short: 'a' },
  'download-only': { type: 'boolean', short: 'd' },
} as const satisfies Options;

export const HUB_HELP = `Common options:
  --config FILE      config file (Picket's or CrowdSec's config.yaml): hub_dir, config_dir, data_dir, hub_url
  --hub-dir DIR      downloaded items and .index.json (default: config hub_dir)
  --config-dir DIR   enabled items, as links under parsers/, scenarios/... (default: config config_dir)
  --data DIR         where items' data: files go (default: config data_dir, else ${DEFAULT_DATA_DIR})
  --url URL|DIR      the hub: a base URL or a local folder such as /usr/share/crowdsec/hub (default: config
                     hub_url, else the one the last 'hub update' used, else CrowdSec's hub)
  -o FORMAT          human (default), json or raw`;

export interface HubValues {
  config?: string | boolean;
  'hub-dir'?: string | boolean;
  'config-dir'?: string | boolean;
  data?: string | boolean;
  url?: string | boolean;
}

export interface HubContext {
  layout: HubLayout;
  sourceSpec: string;
  manager: HubManager;
}

export function hubContext(v: HubValues): HubContext {
  let config;
  try {
    config = resolveConfig(v.config as string | undefined);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
  const hubDir = (v['hub-dir'] as string | undefined) ?? config.hubDir;
  const configDir = (v['config-dir'] as string | undefined) ?? config.configDir;
  if (!hubDir || !configDir) {
    throw new CliError(
      'no hub folders: set hub_dir and config_dir in the config file (or give --hub-dir and --config-dir)',
      1,
    );
  }
  const layout: HubLayout = {
    hubDir,
    configDir,
    dataDir: (v.data as string | undefined) ?? config.dataDir ?? DEFAULT_DATA_DIR,
  };
  const sourceSpec = resolveSourceSpec(layout, (v.url as string | undefined) ?? config.hubUrl);
  return { layout, sourceSpec, manager: new HubManager(layout, sourceSpec) };
}

/** Runs a hub operation, printing its changes and warnings; HubErrors become CLI errors (exit 1). */
export async function runHub(io: CliIO, fmt: OutputFormat, f: () => Promise<HubResult> | HubResult): Promise<number> {
  let r: HubResult;
  try {
    r = await f();
  } catch (e) {
    if (isPicketError(e) && e.code.startsWith('HUB_')) throw new CliError(e.message, 1);
    throw e;
  }
  if (fmt === 'json') {
    io.out(JSON.stringify({ changes: r.changes, warnings: r.warnings }, null, 2));
    return 0;
  }
  for (const w of r.warnings) io.err(`warning: ${w}`);
  for (const c of r.changes) io.out(c);
  if (r.changes.some((c) => c.startsWith('enabled') || c.startsWith('disabled') || c.startsWith('downloaded'))) {
    io.out("Run 'systemctl reload picket' for the new configuration to be effective.");
  }
  return 0;
}

export function hubStates(ctx: HubContext): Map<string, ItemState> {
  try {
    return allStates(ctx.layout, ctx.manager.index);
  } catch (e) {
    if (isPicketError(e) && e.code.startsWith('HUB_')) throw new CliError(e.message, 1);
    throw e;
  }
}

/** `list` in cscli's three formats. */
export function printList(
  io: CliIO,
  fmt: OutputFormat,
  states: Map<string, ItemState>,
  types: readonly ItemType[],
  all: boolean,
  names: string[] = [],
): void {
  const by = listed(states, types, all, names);
  if (fmt === 'json') {
    io.out(JSON.stringify(Object.fromEntries(types.map((t) => [t, by[t].map(itemJSON)])), null, 1));
    return;
  }
  if (fmt === 'raw') {
    io.out(csvLine(['name', 'status', 'version', 'description', 'type']));
    for (const t of types)
      for (const s of by[t]) {
        const j = itemJSON(s);
        io.out(csvLine([j.name, j.status, j.local_version, j.description, t]));
      }
    return;
  }
  if (types.every((t) => by[t].length === 0)) {
    io.out('No items to display');
    return;
  }
  for (const t of types) {
    if (types.length > 1 && by[t].length === 0) continue;
    io.out(t.toUpperCase());
    io.out(
      renderTable(
        ['Name', 'Status', 'Version', 'Local Path'],
        by[t].map((s) => [s.name, utf8Status(s), s.localVersion, s.localPath]),
      ),
    );
  }
}

export function printInspect(io: CliIO, fmt: OutputFormat, s: ItemState): void {
  const o = inspectJSON(s);
  io.out(fmt === 'json' ? JSON.stringify(o, null, 2) : YAML.stringify(o).trimEnd());
}
