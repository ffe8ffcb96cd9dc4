// The `file` acquisition source: `filenames`/`filename` (globs; files that do not exist yet are waited for),
// tailed by tail.ts with read positions kept by the agent. Counts lines read per file and type
// (cs_filesource_hits_total). Registers itself.

import { asText } from '../../core/yaml-strict.js';
import { registerSource } from '../registry.js';
import { COMMON_KEYS, HIT_LABELS, type CounterRow, type DataSource, type SourceContext } from '../source.js';
import { expandGlob } from './glob.js';
import { FileTailer, type FileEvent } from './tail.js';

export interface FileConfig { source: 'file'; filenames: string[]; labels: Record<string, string>; pollMs?: number }

const HITS = 'cs_filesource_hits_total';

const FILE_EVENT_TEXT: Record<FileEvent, (p: string) => string> = {
  appeared: (p) => `file ${p} appeared: reading it from its start`,
  rotated: (p) => `file ${p} rotated: old file read to its end, new one read from its start`,
  truncated: (p) => `file ${p} truncated: reading it again from its start`,
  removed: (p) => `file ${p} removed: read to its end, waiting for it to appear again`,
};

class FileSource implements DataSource {
  readonly name: string;
  readonly follows = true;
  private readonly tailer: FileTailer;
  /** lines read per file: one map update per batch of lines */
  private readonly hits = new Map<string, number>();

  constructor(private readonly cfg: FileConfig, ctx: SourceContext) {
    this.name = `file source ${cfg.filenames.join(', ')}`;
    const labels = cfg.labels;
    const dump = ctx.dump;
    this.tailer = new FileTailer({
      patterns: cfg.filenames, pollMs: ctx.pollMs, fromStart: ctx.fromStart, positions: ctx.positions,
      onFileEvent: (ev, p) => (ctx.info ?? ctx.log)(FILE_EVENT_TEXT[ev](p)),
      // a backlog (written while the agent was stopped) is poured with the lines' own timestamps
      onLines: (src, lines, backlog) => {
        this.hits.set(src, (this.hits.get(src) ?? 0) + lines.length);
        if (dump) dump(lines);
        return ctx.push(lines, { src, module: 'file', labels, timeMachine: backlog || undefined });
      },
    });
  }

  async start(): Promise<void> { /* the tailer starts in run(), once the agent announced itself */ }
  run(): void { this.tailer.start(); }
  async stop(): Promise<void> { this.tailer.stop(); }

  describe(): string {
    const type = this.cfg.labels.type;
    return this.cfg.filenames.map((f) => {
      const n = expandGlob(f).length;
      return `${f} (type ${type}${n === 0 ? ', waiting for it to appear' : f.match(/[*?[]/) ? `, ${n} files` : ''})`;
    }).join(', ');
  }

  counters(): CounterRow[] {
    const at = this.cfg.labels.type ?? '';
    return [...this.hits].map(([source, value]) => ({
      name: HITS, labels: { source, datasource_type: 'file', acquis_type: at }, value,
    }));
  }
}

registerSource<FileConfig>({
  name: 'file',
  keys: new Set([...COMMON_KEYS, 'filenames', 'filename', 'poll_without_inotify', 'force_inotify', 'exclude_regexps',
    'max_buffer_size', 'use_time_machine']),
  counters: [{ name: HITS, help: 'Lines read from a file', labelNames: HIT_LABELS }],
  parse(v, labels, fail) {
    const names: string[] = [];
    if (v.filename !== undefined) names.push(asText(v.filename));
    if (v.filenames !== undefined) {
      if (!Array.isArray(v.filenames)) fail('"filenames" must be a list');
      for (const f of v.filenames as unknown[]) names.push(asText(f));
    }
    if (names.length === 0) fail('file source without "filenames" or "filename"');
    return { source: 'file', filenames: names, labels };
  },
  create: (cfg, ctx) => new FileSource(cfg, ctx),
});
