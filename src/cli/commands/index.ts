// The list of `picket` sub-commands, in the order `picket --help` shows them.
import type { Command } from '../command.js';

export const commands: Command[] = [];
