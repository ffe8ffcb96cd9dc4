// `picket hub update|list|upgrade` (cscli's hub command) and `picket collections|parsers|scenarios|
// postoverflows|contexts install|remove|upgrade|inspect|list` (cscli's item commands), over src/hub.
// Owns: the sub-commands' usage, arguments and which options each accepts.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { outputFormat } from '../output.js';
import { HUB_HELP, HUB_OPTIONS, hubContext, hubStates, printInspect, printList, runHub } from '../hub-context.js';
import { ITEM_TYPES, type ItemType } from '../../hub/index-file.js';
import { updateIndex } from '../../hub/manager.js';

const hubUsage = `Usage: picket hub update [--url URL|DIR]
       picket hub list [-a] [-o human|json|raw]
       picket hub upgrade [--force]

Manage CrowdSec hub content, as cscli does: 'update' fetches the hub index (.index.json) into hub_dir,
'list' shows the installed items of every type (-a: all the index has), 'upgrade' upgrades every
installed item to the index's latest version (tainted items only with --force). Items are installed
with picket collections|parsers|scenarios|postoverflows|contexts install NAME.

${HUB_HELP}`;

export const hubCommand: Command = {
  name: 'hub',
  summary: 'update the hub index, list and upgrade installed hub items',
  usage: hubUsage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('hub', rest, HUB_OPTIONS, true);
    if (positionals.length) throw new CliError(`hub ${sub ?? ''}: unexpected argument '${positionals[0]}'`);
    const fmt = outputFormat(values.output);
    const ctx = hubContext(values);
    switch (sub) {
      case 'update':
        return runHub(io, fmt, async () => {
          const index = await updateIndex(ctx.layout, ctx.sourceSpec);
          const n = ITEM_TYPES.reduce((a, t) => a + index.items[t].size, 0);
          return { changes: [`updated the hub index from ${ctx.sourceSpec}: ${n} items`], warnings: [] };
        });
      case 'list':
        printList(io, fmt, hubStates(ctx), ITEM_TYPES, values.all === true);
        return 0;
      case 'upgrade':
        return runHub(io, fmt, () => ctx.manager.upgrade(null, [], { force: values.force === true }));
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: update, list or upgrade (see picket hub --help)'
            : `unknown sub-command '${sub}': expected update, list or upgrade`,
        );
    }
  },
};

function itemUsage(type: ItemType): string {
  return `Usage: picket ${type} install NAME... [--force] [-d]
       picket ${type} remove NAME...|--all [--purge] [--force]
       picket ${type} upgrade [NAME...|--all] [--force]
       picket ${type} inspect NAME [-o human|json]
       picket ${type} list [NAME...] [-a] [-o human|json|raw]

Install ${type} from the hub (checked against the index's sha256 digests${
    type === 'collections' ? ', with the parsers, scenarios, postoverflows, contexts and collections they include' : ''
  }; their data: files
are fetched into the data folder) and enable them under config_dir, remove, upgrade, inspect and list them.
A locally modified (tainted) item is never overwritten or removed without --force.

Options:
  --force            overwrite tainted items, download again items that are up to date
  --purge            (remove) also delete the downloaded file from hub_dir
  -d, --download-only  (install) download without enabling
  -a, --all          (remove, upgrade) every installed item; (list) disabled ones too
${HUB_HELP}`;
}

async function runItem(type: ItemType, argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseOptions(type, rest, HUB_OPTIONS, true);
  const fmt = outputFormat(values.output);
  const ctx = hubContext(values);
  const o = {
    force: values.force === true,
    purge: values.purge === true,
    downloadOnly: values['download-only'] === true,
  };
  const names = (): string[] => {
    if (values.all === true) {
      return [...hubStates(ctx).values()]
        .filter((s) => s.type === type && s.enabled && s.item !== null)
        .map((s) => s.name);
    }
    if (!positionals.length) throw new CliError(`${type} ${sub}: expected at least one NAME (or --all)`);
    return positionals;
  };
  switch (sub) {
    case 'install':
      if (!positionals.length) throw new CliError(`${type} install: expected at least one NAME`);
      return runHub(io, fmt, () => ctx.manager.install(type, positionals, o));
    case 'remove': {
      const list = names();
      return runHub(io, fmt, () => ctx.manager.remove(type, list, o));
    }
    case 'upgrade':
      return runHub(io, fmt, () => ctx.manager.upgrade(type, values.all === true ? [] : positionals, o));
    case 'inspect': {
      if (positionals.length !== 1) throw new CliError(`${type} inspect: expected one NAME`);
      const s = hubStates(ctx).get(`${type}:${positionals[0]}`);
      if (s === undefined) throw new CliError(`can't find '${positionals[0]}' in ${type}`, 1);
      printInspect(io, fmt, s);
      return 0;
    }
    case 'list':
      printList(io, fmt, hubStates(ctx), [type], values.all === true, positionals);
      return 0;
    default:
      throw new CliError(
        sub === undefined
          ? `expected a sub-command: install, remove, upgrade, inspect or list (see picket ${type} --help)`
          : `unknown sub-command '${sub}': expected install, remove, upgrade, inspect or list`,
      );
  }
}

function itemCommand(type: ItemType): Command {
  return {
    name: type,
    summary: `install, remove, upgrade, inspect and list hub ${type}`,
    usage: itemUsage(type),
    run: (a, io) => runItem(type, a, io),
  };
}

export const collectionsCommand = itemCommand('collections');
export const parsersCommand = itemCommand('parsers');
export const scenariosCommand = itemCommand('scenarios');
export const postoverflowsCommand = itemCommand('postoverflows');
export const contextsCommand = itemCommand('contexts');
