// simulation.yaml in CrowdSec's format (scenarios.md §10): `simulation: bool` (global switch) and
// `exclusions: [scenario names]`. A scenario is simulated iff `simulation XOR (name in exclusions)`.
// Owns parsing/validation of that file into a predicate; errors name the file, the line and the field.

import fs from 'node:fs';
import YAML from 'yaml';
import { PicketError, errorMessage } from '../core/errors.js';
import { keyName, nodeLine, yamlBool } from '../core/yaml-strict.js';

/** A simulation.yaml that cannot be used (code CONFIG_BAD_SIMULATION); the message names the file and field. */
export class SimulationConfigError extends PicketError {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super('CONFIG_BAD_SIMULATION', `${where}: ${reason}`);
  }
}

export interface SimulationConfig {
  /** the global `simulation` switch */
  simulation: boolean;
  exclusions: string[];
  isSimulated(scenario: string): boolean;
}

function makeConfig(simulation: boolean, exclusions: string[]): SimulationConfig {
  const set = new Set(exclusions);
  return { simulation, exclusions, isSimulated: (scenario: string) => simulation !== set.has(scenario) };
}

/**
 * Parses simulation.yaml (`simulation: off` / `on` / true / false; empty text = nothing simulated). Errors name
 * the file, the line and the field.
 */
export function parseSimulation(text: string, where: string): SimulationConfig {
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { uniqueKeys: true, lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos ? `:${e.linePos[0].line}` : '';
    throw new SimulationConfigError(
      `${where}${at}`,
      `malformed YAML: ${e.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '')}`,
    );
  }
  const fail = (node: unknown, why: string): never => {
    const line = nodeLine(lc, node);
    throw new SimulationConfigError(line > 0 ? `${where}:${line}` : where, why);
  };
  const root = doc.contents;
  if (root === null || (YAML.isScalar(root) && (root.value === null || root.value === undefined))) {
    return makeConfig(false, []);
  }
  if (!YAML.isMap(root)) return fail(root, 'expected a mapping with "simulation" and "exclusions"');
  let simulation = false;
  const exclusions: string[] = [];
  for (const pair of root.items) {
    const k = keyName(pair.key);
    const js: unknown = YAML.isNode(pair.value) ? pair.value.toJSON() : pair.value;
    if (k === 'simulation') {
      if (js === null || js === undefined) continue;
      const b = yamlBool(js);
      if (b === null)
        fail(pair.value, `field "simulation": expected a boolean (true/false/on/off), got ${JSON.stringify(js)}`);
      simulation = b as boolean;
    } else if (k === 'exclusions') {
      if (js === null || js === undefined) continue;
      if (!YAML.isSeq(pair.value)) return fail(pair.value, 'field "exclusions": expected a list of scenario names');
      pair.value.items.forEach((it, i) => {
        const sc: unknown = YAML.isNode(it) ? it.toJSON() : it;
        if (typeof sc !== 'string' || sc === '')
          fail(it, `field "exclusions[${i}]": expected a scenario name, got ${JSON.stringify(sc)}`);
        exclusions.push(sc as string);
      });
    } else fail(pair, `field "${k}": unknown field (expected simulation, exclusions)`);
  }
  return makeConfig(simulation, exclusions);
}

export function loadSimulationFile(path: string): SimulationConfig {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimulationConfigError(path, `cannot read: ${errorMessage(e)}`);
  }
  return parseSimulation(text, path);
}
