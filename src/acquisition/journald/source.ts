// The `journalctl` acquisition source: journalctl_filter decoded here, the reader is journalctl.ts.
// Counter: lines read (cs_journalctlsource_hits_total). Registers itself.

import { asText } from '../../core/yaml-strict.js';
import { registerSource } from '../registry.js';
import { COMMON_KEYS, HIT_LABELS, type CounterRow, type DataSource, type SourceContext } from '../source.js';
import { JournaldSource } from './journalctl.js';

export interface JournalConfig {
  source: 'journalctl';
  journalctlFilter: string[];
  labels: Record<string, string>;
  /** journalctl --since (CrowdSec's `since`, e.g. "1h ago"; default: only new entries) */
  since?: string;
}

const HITS = 'cs_journalctlsource_hits_total';

class JournalDataSource implements DataSource {
  readonly name = 'journalctl source';
  readonly follows = false;
  private readonly reader: JournaldSource;

  constructor(
    private readonly cfg: JournalConfig,
    ctx: SourceContext,
  ) {
    const labels = cfg.labels;
    this.reader = new JournaldSource(
      cfg,
      (from, lines) => ctx.push(lines, { src: from, module: 'journalctl', labels }),
      // with `since`, the entries since then are read first (no `-n 0`)
      {
        log: (m) => ctx.log(`journalctl: ${m}`),
        ...(cfg.since !== undefined ? { since: cfg.since, tail: false } : {}),
      },
    );
  }

  start(): Promise<void> {
    return this.reader.start();
  }
  run(): void {
    /* delivers from start() */
  }
  stop(): Promise<void> {
    return this.reader.stop();
  }
  describe(): string {
    return `journalctl ${this.cfg.journalctlFilter.join(' ')} (type ${this.cfg.labels.type})`;
  }

  counters(): CounterRow[] {
    const labels = { source: this.reader.src, datasource_type: 'journalctl', acquis_type: this.cfg.labels.type ?? '' };
    return [{ name: HITS, labels, value: this.reader.stats.hits }];
  }
}

registerSource<JournalConfig>({
  name: 'journalctl',
  keys: new Set([...COMMON_KEYS, 'journalctl_filter', 'since']),
  counters: [{ name: HITS, help: 'Lines read from journalctl', labelNames: HIT_LABELS }],
  parse(v, labels, fail) {
    const f = v.journalctl_filter;
    if (!Array.isArray(f) || f.length === 0) {
      return fail('journalctl source needs a non-empty "journalctl_filter" list');
    }
    const cfg: JournalConfig = { source: 'journalctl', journalctlFilter: f.map(asText), labels };
    if (v.since !== undefined && v.since !== null) {
      const since = asText(v.since);
      if (since === '' || since.startsWith('-'))
        fail(`invalid "since": '${since}' (a journalctl time such as "1h ago")`);
      cfg.since = since;
    }
    return cfg;
  },
  create: (cfg, ctx) => new JournalDataSource(cfg, ctx),
});
