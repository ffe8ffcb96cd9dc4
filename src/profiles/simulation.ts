// simulation.yaml in CrowdSec's format (scenarios.md §10): `simulation: bool` (global switch) and
// `exclusions: [scenario names]`. A scenario is simulated iff `simulation XOR (name in exclusions)`.
// Owns parsing/validation of that file into a predicate; errors name the file and the field.

import fs from 'node:fs';
import YAML from 'yaml';
import { yamlBool } from './load.js';
import { PicketError, errorMessage } from '../core/errors.js';

/** A simulation.yaml that cannot be used (code CONFIG_BAD_SIMULATION); the message names the file and field. */
export class SimulationConfigError extends PicketError {
  constructor(readonly where: string, reason: string) {
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

/** Parses simulation.yaml (`simulation: off` / `on` / true / false; empty text = nothing simulated). */
export function parseSimulation(text: string, where: string): SimulationConfig {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new SimulationConfigError(where, `malformed YAML: ${e.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '')}${at}`);
  }
  const v: unknown = doc.toJS();
  if (v === null || v === undefined) return makeConfig(false, []);
  if (typeof v !== 'object' || Array.isArray(v)) throw new SimulationConfigError(where, 'expected a mapping with "simulation" and "exclusions"');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'simulation' && k !== 'exclusions') throw new SimulationConfigError(where, `field "${k}": unknown field (expected simulation, exclusions)`);
  }
  let simulation = false;
  if (o.simulation !== undefined && o.simulation !== null) {
    const b = yamlBool(o.simulation);
    if (b === null) throw new SimulationConfigError(where, `field "simulation": expected a boolean (true/false/on/off), got ${JSON.stringify(o.simulation)}`);
    simulation = b;
  }
  const exclusions: string[] = [];
  if (o.exclusions !== undefined && o.exclusions !== null) {
    if (!Array.isArray(o.exclusions)) throw new SimulationConfigError(where, 'field "exclusions": expected a list of scenario names');
    o.exclusions.forEach((s, i) => {
      if (typeof s !== 'string' || s === '') throw new SimulationConfigError(where, `field "exclusions[${i}]": expected a scenario name, got ${JSON.stringify(s)}`);
      exclusions.push(s);
    });
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
