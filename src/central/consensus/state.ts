// The consensus state as JSON (for the server's store): reporters, evidence per address, curated entries, the
// addresses awaiting evaluation at the next tick, and the history of addresses whose evidence expired (a state
// from an older build has neither: read as empty).
// Owns the versioned shape, its chunked form (`exportChunks`: JSON texts produced a few milliseconds of work at a
// time, so that a server saving a large state can serve requests between them; `mergeChunks` reads them back)
// and its checked reading (a corrupt or foreign state is refused with CENTRAL_BAD_STATE).

import { PicketError } from '../../core/errors.js';
import type { AddrState } from './evidence.js';
import type { Reporter } from './reporters.js';
import type { ListedEntry } from './types.js';

const VERSION = 1;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
  /** addresses to evaluate at the next tick */
  readonly dirty: ReadonlySet<string>;
  /** addresses whose evidence expired: how many had reported them; and the queue that forgets them */
  readonly history: ReadonlyMap<string, number>;
  readonly historyQueue: ReadonlyArray<[number, string]>;
  readonly historyHead: number;
}

function* queueOf(src: Source): Generator<[number, string]> {
  for (let i = src.historyHead; i < src.historyQueue.length; i++) yield src.historyQueue[i]!;
}

type AddrJson = Omit<AddrState, 'reports' | 'firstBy' | 'groups' | 'weighted' | 'discoverers' | 'scenarios'> & {
  reports: Array<[string, number]>;
  firstBy: Array<[string, number]>;
  groups: string[];
  weighted: string[];
  discoverers: string[];
  scenarios: Array<[string, number]>;
};

function addrJson(a: AddrState): AddrJson {
  return {
    ...a,
    reports: [...a.reports],
    firstBy: [...a.firstBy],
    groups: [...a.groups],
    weighted: [...a.weighted],
    discoverers: [...a.discoverers],
    scenarios: [...a.scenarios],
  };
}

export function exportConsensus(src: Source): unknown {
  const addrs: AddrJson[] = [];
  for (const a of src.addrs.values()) addrs.push(addrJson(a));
  return {
    version: VERSION,
    reporters: src.book.export(),
    addrs,
    curated: [...src.curated.values()],
    trusted: src.trusted,
    dirty: [...src.dirty],
    history: [...src.history],
    historyQueue: [...queueOf(src)],
  };
}

/** Work per chunk: about this many milliseconds, and at most this many characters of JSON. */
const CHUNK_MS = 5;
const CHUNK_CHARS = 1 << 20;

/**
 * The state as a sequence of JSON texts: a head (`version`, `trusted`, `curated`), then `{"reporters": [...]}` and
 * `{"addrs": [...]}` pieces of about `CHUNK_MS` of work each. The caller may yield to the event loop between two
 * texts, but must not change the consensus until the iteration ends. `mergeChunks` of the texts is
 * `exportConsensus`'s value.
 */
export function* exportChunks(src: Source, chunkMs = CHUNK_MS): Generator<string> {
  const head = { version: VERSION, trusted: src.trusted, curated: [...src.curated.values()], dirty: [...src.dirty] };
  yield JSON.stringify(head);
  yield* sliced('reporters', src.book.export(), (r) => JSON.stringify(r), chunkMs);
  yield* sliced('addrs', src.addrs.values(), (a) => JSON.stringify(addrJson(a)), chunkMs);
  yield* sliced('history', src.history.entries(), (e) => JSON.stringify(e), chunkMs);
  yield* sliced('historyQueue', queueOf(src), (e) => JSON.stringify(e), chunkMs);
}

function* sliced<T>(key: string, items: Iterable<T>, text: (x: T) => string, chunkMs: number): Generator<string> {
  let parts: string[] = [],
    chars = 0,
    t0 = performance.now();
  const cut = (): string => {
    const out = `{"${key}":[${parts.join(',')}]}`;
    parts = [];
    chars = 0;
    return out;
  };
  for (const x of items) {
    const t = text(x);
    parts.push(t);
    chars += t.length;
    if (chars >= CHUNK_CHARS || ((parts.length & 15) === 0 && performance.now() - t0 >= chunkMs)) {
      yield cut();
      t0 = performance.now();
    }
  }
  if (parts.length) yield cut();
}

/** The chunks of `exportChunks` (or one whole `exportConsensus` text, the format before chunks) as one state. */
export function mergeChunks(texts: readonly string[]): unknown {
  const out = {
    version: 0 as unknown,
    reporters: [] as unknown[],
    addrs: [] as unknown[],
    curated: [] as unknown[],
    dirty: [] as unknown[],
    history: [] as unknown[],
    historyQueue: [] as unknown[],
  };
  let trusted: unknown = 0;
  texts.forEach((text, i) => {
    let c: unknown;
    try {
      c = JSON.parse(text);
    } catch (e) {
      throw new ConsensusStateError(`consensus state: chunk ${i} is not JSON (${(e as Error).message})`);
    }
    if (!isObj(c)) throw new ConsensusStateError(`consensus state: chunk ${i} is not an object`);
    if (i === 0) {
      out.version = c.version;
      trusted = c.trusted;
    }
    for (const k of ['reporters', 'addrs', 'curated', 'dirty', 'history', 'historyQueue'] as const) {
      const v = c[k];
      if (v === undefined) continue;
      if (!Array.isArray(v)) throw new ConsensusStateError(`consensus state: chunk ${i}: ${k} must be a list`);
      for (const x of v) out[k].push(x);
    }
  });
  return { ...out, trusted };
}

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
  history: Array<[string, number]>;
  historyQueue: Array<[number, string]>;
  dirty: string[];
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
  const queue = state.historyQueue ?? [];
  if (
    !Array.isArray(queue) ||
    !queue.every((p) => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'string')
  )
    throw new ConsensusStateError('consensus state: historyQueue is not a list of [number, string]');
  return {
    reporters: reporters as Reporter[],
    addrs: out,
    curated: curated as ListedEntry[],
    trusted: typeof state.trusted === 'number' ? state.trusted : 0,
    history: pairs(state.history ?? [], 'history'),
    historyQueue: queue as Array<[number, string]>,
    dirty: Array.isArray(state.dirty) ? state.dirty.filter((v): v is string => typeof v === 'string') : [],
  };
}
