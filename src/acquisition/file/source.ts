// The `file` acquisition source: `filenames`/`filename` (globs; files that do not exist yet are waited for),
// `exclude_regexps` (files whose path matches one are not read), `max_buffer_size` (longest line, bytes),
// `poll_without_inotify` (accepted: Picket always polls), tailed by tail.ts with read positions kept by the agent. Counts lines read per file and type
// (cs_filesource_hits_total). Registers itself.

import { asText } from '../../core/yaml-strict.js';
import { errorMessage } from '../../core/errors.js';
import { registerSource } from '../registry.js';
import { COMMON_KEYS, HIT_LABELS, type CounterRow, type DataSource, type SourceContext } from '../source.js';
import { expandGlob } from './glob.js';
import { FileTailer } from './tail.js';

export interface FileConfig {
  source: 'file'; filenames: string[]; labels: Record<string, string>; pollMs?: number;
  exclude?: RegExp[]; maxLineBytes?: number;
}

const HITS = 'cs_filesource_hits_total';

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
      patterns: cfg.filenames, exclude: cfg.exclude, pollMs: ctx.pollMs,
      ...(cfg.maxLineBytes !== undefined ? { maxLineBytes: cfg.maxLineBytes } : {}),
      fromStart: ctx.fromStart, positions: ctx.positions,
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
      const n = expandGlob(f).filter((p) => !this.cfg.exclude?.some((re) => re.test(p))).length;
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
  keys: new Set([...COMMON_KEYS, 'filenames', 'filename', 'poll_without_inotify', 'exclude_regexps', 'max_buffer_size']),
  counters: [{ name: HITS, help: 'Lines read from a file', labelNames: HIT_LABELS }],
  parse(v, labels, fail) {
    const names: string[] = [];
    if (v.filename !== undefined) names.push(asText(v.filename));
    if (v.filenames !== undefined) {
      if (!Array.isArray(v.filenames)) fail('"filenames" must be a list');
      for (const f of v.filenames as unknown[]) names.push(asText(f));
    }
    if (names.length === 0) fail('file source without "filenames" or "filename"');
    const cfg: FileConfig = { source: 'file', filenames: names, labels };
    if (v.exclude_regexps !== undefined && v.exclude_regexps !== null) {
      if (!Array.isArray(v.exclude_regexps)) fail('"exclude_regexps" must be a list of regular expressions');
      cfg.exclude = (v.exclude_regexps as unknown[]).map((r, i) => {
        try { return new RegExp(asText(r)); } catch (e) {
          return fail(`"exclude_regexps"[${i}]: ${errorMessage(e)}`);
        }
      });
    }
    if (v.max_buffer_size !== undefined && v.max_buffer_size !== null) {
      const n = Number(v.max_buffer_size);
      if (!Number.isInteger(n) || n <= 0) fail(`"max_buffer_size": expected a positive number of bytes, got ${asText(v.max_buffer_size)}`);
      cfg.maxLineBytes = n;
    }
    const poll = v.poll_without_inotify;
    if (poll !== undefined && poll !== null && typeof poll !== 'boolean') fail('"poll_without_inotify": expected true or false');
    return cfg;
  },
  create: (cfg, ctx) => new FileSource(cfg, ctx),
});
