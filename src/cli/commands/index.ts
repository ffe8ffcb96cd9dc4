// The list of `picket` sub-commands, in the order `picket --help` shows them.
import type { Command } from '../command.js';
import { explainCommand } from './explain.js';
import { hubtestCommand } from './hubtest.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';

export const commands: Command[] = [runCommand, replayCommand, explainCommand, hubtestCommand];
