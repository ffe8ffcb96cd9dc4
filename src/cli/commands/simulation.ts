// `picket simulation enable|disable|status` (cscli simulation): edits simulation.yaml — the file named by
// --file, else the config file's simulation_path, else /etc/picket/simulation.yaml — keeping its comments.
// As cscli: --global switches the global mode and empties the exclusions; a SCENARIO is added to or removed
// from `exclusions`, whose meaning flips with the global switch. `picket run` reads the file at start.
// Owns: these sub-commands' options, the file edit and the output.

import fs from 'node:fs';
import YAML from 'yaml';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { outputFormat } from '../output.js';
import { resolveConfig, ConfigError } from '../../config/config.js';
import { DEFAULT_SIMULATION_FILE } from '../../config/defaults.js';
import { parseSimulation, SimulationConfigError } from '../../profiles/simulation.js';

const usage = `Usage: picket simulation enable [SCENARIO ...] [--global]
       picket simulation disable [SCENARIO ...] [--global]
       picket simulation status [-o human|json]

Manage simulation.yaml (CrowdSec's format: simulation: on|off, exclusions: [scenarios]). Alerts of a
simulated scenario are stored with simulated decisions, which bouncers never receive. \`picket run\` reads
the file at start: restart it after a change.

Options:
  -g, --global      enable/disable the global simulation mode (and empty the exclusions)
  --file FILE       simulation.yaml (default: the config file's simulation_path, else ${DEFAULT_SIMULATION_FILE})
  --config FILE     config file (default /etc/picket/config.yaml when it exists)
  -o FORMAT         human (default) or json (status)`;

const OPTIONS = {
  global: { type: 'boolean', short: 'g' },
  file: { type: 'string' },
  config: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

interface SimFile {
  path: string;
  doc: YAML.Document;
  simulation: boolean;
  exclusions: string[];
}

function readSim(path: string): SimFile {
  let text = '';
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`cannot read ${path}: ${(e as Error).message}`, 1);
  }
  try {
    const s = parseSimulation(text, path);
    return { path, doc: YAML.parseDocument(text), simulation: s.simulation, exclusions: [...s.exclusions] };
  } catch (e) {
    if (e instanceof SimulationConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}

function writeSim(f: SimFile): void {
  if (!YAML.isMap(f.doc.contents)) f.doc.contents = f.doc.createNode({}) as YAML.ParsedNode;
  f.doc.set('simulation', f.simulation);
  f.doc.set('exclusions', f.exclusions);
  try {
    fs.writeFileSync(f.path, f.doc.toString());
  } catch (e) {
    throw new CliError(`cannot write ${f.path}: ${(e as Error).message}`, 1);
  }
}

function simPath(values: { file?: unknown; config?: unknown }): string {
  if (typeof values.file === 'string') return values.file;
  try {
    return resolveConfig(values.config as string | undefined).simulationPath ?? DEFAULT_SIMULATION_FILE;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** enable (on = true) or disable one scenario: in exclusions when its state differs from the global one */
function setScenario(f: SimFile, scenario: string, on: boolean, io: CliIO): boolean {
  const excluded = f.exclusions.includes(scenario);
  if ((f.simulation !== excluded) === on) {
    io.out(`${scenario} ${on ? 'already in' : 'is not in'} simulation mode`);
    return false;
  }
  if (excluded) f.exclusions = f.exclusions.filter((s) => s !== scenario);
  else f.exclusions.push(scenario);
  io.out(`simulation mode for '${scenario}' ${on ? 'enabled' : 'disabled'}`);
  return true;
}

function toggle(on: boolean, global: boolean, scenarios: string[], path: string, io: CliIO): number {
  if (global === scenarios.length > 0) throw new CliError('give either --global or at least one SCENARIO');
  const f = readSim(path);
  let changed = false;
  if (global) {
    changed = f.simulation !== on || f.exclusions.length > 0;
    f.simulation = on;
    f.exclusions = [];
    io.out(`global simulation: ${on ? 'enabled' : 'disabled'}`);
  } else {
    for (const s of scenarios) changed = setScenario(f, s, on, io) || changed;
  }
  if (changed) {
    writeSim(f);
    io.out(`${path} updated: restart picket run for the change to take effect`);
  }
  return 0;
}

export const simulationCommand: Command = {
  name: 'simulation',
  summary: 'enable, disable and show the simulation mode of scenarios (simulation.yaml)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('simulation', rest, OPTIONS, true);
    const path = simPath(values);
    switch (sub) {
      case 'enable':
        return toggle(true, values.global === true, positionals, path, io);
      case 'disable':
        return toggle(false, values.global === true, positionals, path, io);
      case 'status': {
        if (positionals.length) throw new CliError(`simulation status: unexpected argument '${positionals[0]}'`);
        const fmt = outputFormat(values.output, ['human', 'json']);
        const f = readSim(path);
        if (fmt === 'json') {
          io.out(JSON.stringify({ file: path, simulation: f.simulation, exclusions: f.exclusions }, null, 2));
          return 0;
        }
        io.out(`global simulation: ${f.simulation ? 'enabled' : 'disabled'}`);
        if (f.exclusions.length) {
          io.out(f.simulation ? 'Scenarios not in simulation mode :' : 'Scenarios in simulation mode :');
          for (const s of f.exclusions) io.out(`  - ${s}`);
        }
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: enable, disable or status (see picket simulation --help)'
            : `unknown sub-command '${sub}': expected enable, disable or status`,
        );
    }
  },
};
