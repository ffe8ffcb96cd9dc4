// The list of `picket` sub-commands, in the order `picket --help` shows them.
import type { Command } from '../command.js';
import { alertsCommand } from './alerts.js';
import { bouncersCommand } from './bouncers.js';
import { decisionsCommand } from './decisions.js';
import { explainCommand } from './explain.js';
import { hubtestCommand } from './hubtest.js';
import { lapiCommand } from './lapi.js';
import { machinesCommand } from './machines.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';

export const commands: Command[] = [
  runCommand, replayCommand, explainCommand, hubtestCommand,
  decisionsCommand, alertsCommand, bouncersCommand, machinesCommand, lapiCommand,
];
