// `picket` command dispatcher: finds the sub-command, prints help, turns CliError into a clean message.
// Sub-commands live one per file in ./commands and are listed in ./commands/index.ts.

import { CliError, type CliIO, type Command } from './command.js';
import { allCommands, findCommand } from './commands/index.js';
import { escapeControls } from '../core/terminal.js';
import { keepTickObjectShape } from '../core/tick-object.js';

const VERSION = '0.1.0';

async function globalHelp(): Promise<string> {
  const commands = await allCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'picket: detect attacks in logs, decide what to block, serve decisions (CrowdSec-compatible)',
    '',
    'Usage: picket <command> [options]     picket <command> --help',
    '',
    'Commands:',
    ...lines,
    '',
    'Global: --help, --version',
  ].join('\n');
}

export async function main(
  argv: string[],
  io: CliIO = {
    // every human line (tables, explain, alerts, logs) with its control characters escaped: one place
    out: (s) => process.stdout.write(escapeControls(s.endsWith('\n') ? s : s + '\n')),
    err: (s) => process.stderr.write(escapeControls(s.endsWith('\n') ? s : s + '\n')),
    write: (s) =>
      process.stdout.write(s) ? undefined : new Promise<void>((resolve) => process.stdout.once('drain', resolve)),
  },
): Promise<number> {
  keepTickObjectShape(); // before any large heap is built (src/core/tick-object.ts)
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help'], io);
    io.out(await globalHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.out(`picket ${VERSION}`);
    return 0;
  }
  const found = findCommand(name);
  if (!found) {
    io.err(`picket: unknown command "${name}"\n\n${await globalHelp()}`);
    return 2;
  }
  const cmd: Command = await found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`picket ${cmd.name}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
