// The list of `picket` sub-commands, in the order `picket --help` shows them. Each command module is loaded
// on its own, when needed: one that fails to load (a broken install, a module being edited) leaves the others
// usable and becomes a stub that says why (exit 1), instead of taking the whole CLI down.
import { CliError, type Command } from '../command.js';
import { errorMessage } from '../../core/errors.js';

export async function loadCommand(name: string, mod: Promise<Record<string, unknown>>, key: string): Promise<Command> {
  try {
    return (await mod)[key] as Command;
  } catch (e) {
    const why = errorMessage(e).split('\n')[0];
    return {
      name,
      summary: `(unavailable: ${why})`,
      usage: `picket ${name}: this command cannot be loaded: ${why}`,
      run: () => Promise.reject(new CliError(`this command cannot be loaded: ${why}`, 1)),
    };
  }
}

type Loader = readonly [name: string, load: () => Promise<Record<string, unknown>>, key: string];

/** In --help order. A module is imported only when its command runs (or for the global help): `picket replay`
 *  does not load the LAPI, undici or prom-client (~0.3 s of start-up). */
const LOADERS: readonly Loader[] = [
  ['run', () => import('./run.js'), 'runCommand'],
  ['replay', () => import('./replay.js'), 'replayCommand'],
  ['explain', () => import('./explain.js'), 'explainCommand'],
  ['hubtest', () => import('./hubtest.js'), 'hubtestCommand'],
  ['decisions', () => import('./decisions.js'), 'decisionsCommand'],
  ['alerts', () => import('./alerts.js'), 'alertsCommand'],
  ['bouncers', () => import('./bouncers.js'), 'bouncersCommand'],
  ['allowlists', () => import('./allowlists.js'), 'allowlistsCommand'],
  ['machines', () => import('./machines.js'), 'machinesCommand'],
  ['lapi', () => import('./lapi.js'), 'lapiCommand'],
  ['notifications', () => import('./notifications.js'), 'notificationsCommand'],
  ['report', () => import('./report.js'), 'reportCommand'],
  ['gdpr', () => import('./gdpr.js'), 'gdprCommand'],
  ['console', () => import('./console.js'), 'consoleCommand'],
  ['simulation', () => import('./simulation.js'), 'simulationCommand'],
  ['central', () => import('./central.js'), 'centralCommand'],
  ['capi', () => import('./capi.js'), 'capiCommand'],
  ['blocklists', () => import('./blocklists.js'), 'blocklistsCommand'],
  ['hub', () => import('./hub.js'), 'hubCommand'],
  ['collections', () => import('./hub.js'), 'collectionsCommand'],
  ['parsers', () => import('./hub.js'), 'parsersCommand'],
  ['scenarios', () => import('./hub.js'), 'scenariosCommand'],
  ['postoverflows', () => import('./hub.js'), 'postoverflowsCommand'],
  ['contexts', () => import('./hub.js'), 'contextsCommand'],
  ['import', () => import('./import.js'), 'importCommand'],
  ['metrics', () => import('./metrics.js'), 'metricsCommand'],
];

/** Command names, in --help order. */
export const commandNames: readonly string[] = LOADERS.map((l) => l[0]);

/** The command called `name` (loaded now), or null when there is none. */
export function findCommand(name: string): Promise<Command> | null {
  const l = LOADERS.find((x) => x[0] === name);
  return l ? loadCommand(l[0], l[1](), l[2]) : null;
}

/** Every command, loaded (the global help lists their summaries). */
export function allCommands(): Promise<Command[]> {
  return Promise.all(LOADERS.map((l) => loadCommand(l[0], l[1](), l[2])));
}
