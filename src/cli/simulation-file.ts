// simulation.yaml for `picket run` (the config file's `simulation_path`) and `picket replay` (`--simulation
// FILE`, or `--config FILE`'s simulation_path): read once at start, as CrowdSec reads it at start and reload;
// its scenarios' alerts are marked simulated, so their decisions are stored simulated and bouncers never
// receive them. Owns: turning the file into the pipeline's plain switch, errors as CLI errors.

import { CliError } from './command.js';
import { loadSimulationFile, SimulationConfigError } from '../profiles/simulation.js';
import { loadConfigFile, ConfigError } from '../config/config.js';
import type { SimulationSwitch } from '../pipeline/content.js';

/** the switch of simulation.yaml at `file` (undefined: no simulation); a bad file is a CliError naming the line */
export function simulationSwitch(file: string | undefined): SimulationSwitch | null {
  if (file === undefined) return null;
  try {
    const s = loadSimulationFile(file);
    return { simulation: s.simulation, exclusions: s.exclusions };
  } catch (e) {
    if (e instanceof SimulationConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** the simulation_path of an explicitly given config file */
export function configSimulation(configFile: unknown): string | undefined {
  if (typeof configFile !== 'string') return undefined;
  try {
    return loadConfigFile(configFile).simulationPath;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}
