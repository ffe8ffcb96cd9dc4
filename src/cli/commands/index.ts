// The list of `picket` sub-commands, in the order `picket --help` shows them. Each command module is loaded
// on its own: one that fails to load (a broken install, a module being edited) leaves the others usable and
// becomes a stub that says why (exit 1), instead of taking the whole CLI down.
import { CliError, type Command } from '../command.js';

export async function loadCommand(name: string, mod: Promise<Record<string, unknown>>, key: string): Promise<Command> {
  try {
    return (await mod)[key] as Command;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    return {
      name, summary: `(unavailable: ${why})`, usage: `picket ${name}: this command cannot be loaded: ${why}`,
      run: () => Promise.reject(new CliError(`this command cannot be loaded: ${why}`, 1)),
    };
  }
}

export const commands: Command[] = await Promise.all([
  loadCommand('run', import('./run.js'), 'runCommand'),
  loadCommand('replay', import('./replay.js'), 'replayCommand'),
  loadCommand('explain', import('./explain.js'), 'explainCommand'),
  loadCommand('hubtest', import('./hubtest.js'), 'hubtestCommand'),
  loadCommand('decisions', import('./decisions.js'), 'decisionsCommand'),
  loadCommand('alerts', import('./alerts.js'), 'alertsCommand'),
  loadCommand('bouncers', import('./bouncers.js'), 'bouncersCommand'),
  loadCommand('allowlists', import('./allowlists.js'), 'allowlistsCommand'),
  loadCommand('machines', import('./machines.js'), 'machinesCommand'),
  loadCommand('lapi', import('./lapi.js'), 'lapiCommand'),
]);
