// The registry of acquisition source modules, keyed by their `source:` value, in registration order.
// Owns: the map only; each module registers itself (file/source.ts ...) and sources.ts imports them all.

import { PicketError } from '../core/errors.js';
import type { SourceConfig, SourceModule } from './source.js';

const modules = new Map<string, SourceModule>();

export function registerSource<C extends SourceConfig>(m: SourceModule<C>): void {
  if (modules.has(m.name)) {
    throw new PicketError('ACQUIS_DUPLICATE_SOURCE', `acquisition source "${m.name}" registered twice`);
  }
  modules.set(m.name, m as unknown as SourceModule);
}

export function sourceModule(name: string): SourceModule | undefined {
  return modules.get(name);
}

export function sourceNames(): string[] {
  return [...modules.keys()];
}
