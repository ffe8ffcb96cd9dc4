// The list of `picket` sub-commands, in the order `picket --help` shows them.
import type { Command } from '../command.js';
import { explainCommand } from './explain.js';
import { hubtestCommand } from './hubtest.js';

export const commands: Command[] = [explainCommand, hubtestCommand];
