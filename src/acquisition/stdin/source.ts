// The `stdin` acquisition source (also what `picket run --stdin --type T` adds): lines of standard input,
// read by read.ts from start(); `ended` settles at the end of input. No counters. Registers itself.

import { registerSource } from '../registry.js';
import { COMMON_KEYS, type CounterRow, type DataSource, type SourceContext } from '../source.js';
import { readStdinLines } from './read.js';

export interface StdinConfig {
  source: 'stdin';
  labels: Record<string, string>;
}

class StdinSource implements DataSource {
  readonly name = 'stdin source';
  readonly follows = false;
  ended?: Promise<void>;
  private done = false;

  constructor(
    private readonly cfg: StdinConfig,
    private readonly ctx: SourceContext,
  ) {}

  async start(): Promise<void> {
    const labels = this.cfg.labels;
    this.ended = readStdinLines((lines) => this.ctx.push(lines, { src: 'stdin', module: 'stdin', labels })).then(() => {
      this.done = true;
    });
  }

  run(): void {
    /* reads from start() */
  }
  describe(): string {
    return `stdin (type ${this.cfg.labels.type})`;
  }
  counters(): CounterRow[] {
    return [];
  }

  /** Stops reading stdin unless it already ended. */
  async stop(): Promise<void> {
    if (!this.done) process.stdin.destroy();
  }
}

registerSource<StdinConfig>({
  name: 'stdin',
  keys: new Set(COMMON_KEYS),
  counters: [],
  parse: (_v, labels) => ({ source: 'stdin', labels }),
  create: (cfg, ctx) => new StdinSource(cfg, ctx),
});
