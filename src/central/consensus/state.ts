// The consensus state as JSON (for the server's store): reporters, evidence per address, curated entries.
// Owns the versioned shape and its checked reading (a corrupt or foreign state is refused with CENTRAL_BAD_STATE).

import { PicketError } from '../../core/errors.js';
import type { AddrState } from './evidence.js';
import type { Reporter } from './reporters.js';
import type { ListedEntry } from './types.js';

const VERSION = 1;

export class ConsensusStateError extends PicketError {
  constructor(message: string) {
    super('CENTRAL_BAD_STATE', message);
  }
}

interface Source {
  readonly book: { export(): Reporter[] };
  readonly addrs: ReadonlyMap<string, AddrState>;
  readonly curated: ReadonlyMap<string, ListedEntry>;
  readonly trusted: number;
}

type AddrJson = Omit<AddrState, 'reports' | 'firstBy' | 'groups' | 'weighted' | 'discoverers' | 'scenarios'> & {
  reports: Array<[string, number]>;
  firstBy: Array<[string, number]>;
  groups: string[];
  weighted: string[];
  discoverers: string[];
  scenarios: Array<[string, number]>;
};

export function exportConsensus(src: Source): unknown {
  const addrs: AddrJson[] = [];
  for (const a of src.addrs.values()) {
    addrs.push({
      ...a,
      reports: [...a.reports],
      firstBy: [...a.firstBy],
      groups: [...a.groups],
      weighted: [...a.weighted],
      discoverers: [...a.discoverers],
      scenarios: [...a.scenarios],
    });
  }
  return {
    version: VERSION,
    reporters: src.book.export(),
    addrs,
    curated: [...src.curated.values()],
    trusted: src.trusted,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pairs(v: unknown, what: string): Array<[string, number]> {
  if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number')) {
    throw new ConsensusStateError(`consensus state: ${what} is not a list of [string, number]`);
  }
  return v as Array<[string, number]>;
}

export function importConsensus(state: unknown): {
  reporters: Reporter[];
  addrs: AddrState[];
  curated: ListedEntry[];
  trusted: number;
} {
  if (!isObj(state) || state.version !== VERSION)
    throw new ConsensusStateError(`consensus state: not a version ${VERSION} state`);
  const { reporters, addrs, curated } = state;
  if (!Array.isArray(reporters) || !Array.isArray(addrs) || !Array.isArray(curated)) {
    throw new ConsensusStateError('consensus state: reporters, addrs and curated must be lists');
  }
  for (const r of reporters) {
    if (!isObj(r) || typeof r.id !== 'string' || typeof r.group !== 'string' || !Array.isArray(r.recent)) {
      throw new ConsensusStateError('consensus state: a reporter lacks id, group or recent');
    }
  }
  const out: AddrState[] = addrs.map((x: unknown) => {
    if (!isObj(x) || typeof x.value !== 'string' || !Array.isArray(x.groups))
      throw new ConsensusStateError('consensus state: an address lacks value');
    const j = x as unknown as AddrJson;
    return {
      ...j,
      reports: new Map(pairs(j.reports, 'reports')),
      firstBy: new Map(pairs(j.firstBy, 'firstBy')),
      groups: new Set(j.groups.map(String)),
      weighted: new Set((j.weighted ?? []).map(String)),
      discoverers: new Set((j.discoverers ?? []).map(String)),
      scenarios: new Map(pairs(j.scenarios, 'scenarios')),
    };
  });
  for (const e of curated)
    if (!isObj(e) || typeof e.value !== 'string')
      throw new ConsensusStateError('consensus state: a curated entry lacks value');
  return {
    reporters: reporters as Reporter[],
    addrs: out,
    curated: curated as ListedEntry[],
    trusted: typeof state.trusted === 'number' ? state.trusted : 0,
  };
}
