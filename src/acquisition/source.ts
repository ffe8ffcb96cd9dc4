// The acquisition source contract (CrowdSec's DataSource): what every source module provides — the keys of
// its acquis.yaml document and their decoding, a factory for a running source, and the counters it reports
// to /metrics — and what the agent gives a source (the pipeline's push, a logger, file-tailing settings).
// Owns: the interfaces only. Modules register themselves in registry.ts; sources.ts lists them.

import type { LogLevel } from '../core/log-level.js';
import type { PositionStore } from './file/tail.js';

/** The fields every acquisition document has once decoded. */
export interface SourceConfig {
  source: string;
  labels: Record<string, string>;
  /** `mode: cat`: read the input once from its start, then end (absent: tail, follow it) */
  mode?: 'tail' | 'cat';
  /** `use_time_machine: true`: lines are poured with their own timestamps (as a replay pours them) */
  useTimeMachine?: boolean;
  /** `transform`: an expression on evt (evt.Line.Raw ...) returning the line (or lines) to parse instead;
   *  `where` names the file, line and document; compiled by the agent at start (pipeline/transform.ts) */
  transform?: { expr: string; where: string };
  /** `name`: how the agent's lines about this source name it (prefix `[NAME] `) */
  name?: string;
  /** `log_level`: this source's own lines (info: files appearing, rotated...; trace: every line read) */
  logLevel?: LogLevel;
}

/** What a batch of lines carries into the pipeline (`src` is the file, client address, ...). */
export interface LineMeta {
  src: string;
  module: string;
  labels: Record<string, string>;
  /** a backlog (written while the agent was stopped): poured with the lines' own timestamps */
  timeMachine?: boolean;
}

/** What the agent gives each source. */
export interface SourceContext {
  /** hands lines to the pipeline; the promise it may return is the back-pressure */
  push(lines: string[], meta: LineMeta): void | Promise<void>;
  /** one line on the agent's stderr (the caller adds the `picket run: ` prefix) */
  log(msg: string): void;
  /** informational lines (files appearing, rotated, truncated): absent = log() */
  info?(msg: string): void;
  /** file sources: poll interval, read files present at start from their beginning, kept read positions */
  pollMs: number;
  fromStart: boolean;
  positions?: PositionStore;
  /** --dump-lines: a copy of the lines read from files */
  dump?: (lines: string[]) => void;
}

/** A counter a module reports (a Prometheus counter; rows of all sources with equal labels are summed). */
export interface CounterDef {
  name: string;
  help: string;
  labelNames: string[];
}

/** One value of a counter: its total so far for one label set. */
export interface CounterRow {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A configured source of lines. */
export interface DataSource {
  /** how start failures name it (`syslog source 127.0.0.1:514`) */
  readonly name: string;
  /** true while it follows input that never ends (file tailing): then the end of stdin does not stop the agent */
  readonly follows: boolean;
  /** settles when a finite input ended (stdin); undefined for the others */
  readonly ended?: Promise<void>;
  /** opens the input (binds, spawns, starts reading stdin); rejects when it cannot */
  start(): Promise<void>;
  /** begins delivering once the agent announced itself (file tailers); a no-op for most */
  run(): void;
  /** what `picket run: watching ...` says about it, once started */
  describe(): string;
  stop(): Promise<void>;
  /** current totals of the module's counters */
  counters(): CounterRow[];
}

/** A source module: one per `source:` value. */
export interface SourceModule<C extends SourceConfig = SourceConfig> {
  /** the `source:` value */
  readonly name: string;
  /** keys its documents may hold (others are refused) */
  readonly keys: ReadonlySet<string>;
  /** counters its sources report */
  readonly counters: readonly CounterDef[];
  /** it implements `mode: cat` (others refuse it) */
  readonly catMode?: boolean;
  /** decodes one document (source and labels already checked); `fail` throws naming the file and document */
  parse(doc: Record<string, unknown>, labels: Record<string, string>, fail: (msg: string) => never): C;
  create(cfg: C, ctx: SourceContext): DataSource;
}

/** Labels of the per-source hit counters (cs_filesource_hits_total, ...). */
export const HIT_LABELS = ['source', 'datasource_type', 'acquis_type'];

/** Keys every module accepts, besides its own. */
export const COMMON_KEYS = ['source', 'labels', 'mode', 'name', 'log_level', 'transform', 'use_time_machine'] as const;
