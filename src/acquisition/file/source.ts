// The `file` acquisition source: `filenames`/`filename` (globs; files that do not exist yet are waited for),
// `exclude_regexps` (files whose path matches one are not read), `max_buffer_size` (longest line, bytes),
// `poll_without_inotify` and `force_inotify` (accepted: Picket always polls, and waits for files that do not exist
// yet), `discovery_poll_enable` (accepted: new files matching the globs are always found, on every poll),
// `discovery_poll_interval` (a Go duration: files are polled at least that often), tailed by tail.ts with read
// positions kept by the agent, or with `mode: cat` read once from the start by cat.ts (then the source ends).
// Counts lines read per file and type (cs_filesource_hits_total). Registers itself.

import fs from 'node:fs';
import { asText } from '../../core/yaml-strict.js';
import { parseWireDuration } from '../../api/wire-time.js';
import { errorMessage } from '../../core/errors.js';
import { registerSource } from '../registry.js';
import {
  COMMON_KEYS,
  HIT_LABELS,
  type CounterRow,
  type DataSource,
  type SourceConfig,
  type SourceContext,
} from '../source.js';
import { catFiles } from './cat.js';
import { expandGlob } from './glob.js';
import { FileTailer, type FileEvent } from './tail.js';

export interface FileConfig extends SourceConfig {
  source: 'file';
  filenames: string[];
  labels: Record<string, string>;
  pollMs?: number;
  exclude?: RegExp[];
  maxLineBytes?: number;
  /** discovery_poll_interval in ms: the source polls at least this often */
  discoveryMs?: number;
}

const HITS = 'cs_filesource_hits_total';
const ERRORS = 'picket_acquisition_errors_total';
/** an unreadable file is said again at most this often, until it can be read */
const REPEAT_MS = 30_000;

/** what an operator needs to fix an unreadable file: the error, the file's mode and owner, our identity */
function openErrorText(p: string, e: NodeJS.ErrnoException): string {
  let detail = '';
  try {
    const st = fs.statSync(p);
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    const gid = typeof process.getgid === 'function' ? process.getgid() : -1;
    detail =
      ` (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${st.uid} gid ${st.gid}; ` +
      `picket runs as uid ${uid} gid ${gid})`;
  } catch {
    /* gone meanwhile */
  }
  const why = e.code === 'EACCES' ? 'permission denied' : (e.code ?? e.message);
  return `ERROR: cannot read ${p}: ${why}${detail}; retrying until it can be read`;
}

const FILE_EVENT_TEXT: Record<FileEvent, (p: string) => string> = {
  appeared: (p) => `file ${p} appeared: reading it from its start`,
  rotated: (p) => `file ${p} rotated: old file read to its end, new one read from its start`,
  truncated: (p) => `file ${p} truncated: reading it again from its start`,
  removed: (p) => `file ${p} removed: read to its end, waiting for it to appear again`,
};

class FileSource implements DataSource {
  readonly name: string;
  /** false in mode cat: the source ends once its files were read */
  readonly follows: boolean;
  ended?: Promise<void>;
  private readonly tailer: FileTailer | null;
  private stopped = false;
  /** lines read per file: one map update per batch of lines */
  private readonly hits = new Map<string, number>();
  /** open errors per file and reason (picket_acquisition_errors_total), and when each file was last said */
  private readonly errors = new Map<string, number>();
  private readonly said = new Map<string, number>();
  /** mode cat: starts the one-shot read (run), or lets `ended` settle unread (stop) */
  private begin: (() => void) | null = null;

  constructor(
    private readonly cfg: FileConfig,
    ctx: SourceContext,
  ) {
    this.name = `file source ${cfg.filenames.join(', ')}`;
    this.follows = cfg.mode !== 'cat';
    this.tailer = this.follows ? this.makeTailer(ctx) : null;
    if (!this.follows) {
      // settles once run() read every file (or stop() came first)
      let begin!: () => void;
      const started = new Promise<void>((r) => (begin = r));
      this.begin = begin;
      this.ended = started.then(() => (this.stopped ? undefined : this.cat(ctx)));
    }
  }

  private cat(ctx: SourceContext): Promise<void> {
    const { cfg } = this;
    const labels = cfg.labels;
    return catFiles({
      patterns: cfg.filenames,
      exclude: cfg.exclude,
      ...(cfg.maxLineBytes !== undefined ? { maxLineBytes: cfg.maxLineBytes } : {}),
      log: ctx.log,
      stopped: () => this.stopped,
      onLines: (src, lines) => {
        this.hits.set(src, (this.hits.get(src) ?? 0) + lines.length);
        if (ctx.dump) ctx.dump(lines);
        return ctx.push(lines, { src, module: 'file', labels, timeMachine: true });
      },
    });
  }

  private makeTailer(ctx: SourceContext): FileTailer {
    const cfg = this.cfg;
    const labels = cfg.labels;
    const dump = ctx.dump;
    return new FileTailer({
      patterns: cfg.filenames,
      exclude: cfg.exclude,
      pollMs: cfg.discoveryMs !== undefined ? Math.min(ctx.pollMs, cfg.discoveryMs) : ctx.pollMs,
      ...(cfg.maxLineBytes !== undefined ? { maxLineBytes: cfg.maxLineBytes } : {}),
      fromStart: ctx.fromStart,
      positions: ctx.positions,
      onFileEvent: (ev, p) => (ctx.info ?? ctx.log)(FILE_EVENT_TEXT[ev](p)),
      // a backlog (written while the agent was stopped) is poured with the lines' own timestamps
      onLines: (src, lines, backlog) => {
        this.hits.set(src, (this.hits.get(src) ?? 0) + lines.length);
        if (dump) dump(lines);
        return ctx.push(lines, { src, module: 'file', labels, timeMachine: backlog || undefined });
      },
      onOpenError: (p, e) => {
        const key = `${p}\u0000${e.code ?? 'error'}`;
        this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
        const now = Date.now();
        if (now - (this.said.get(p) ?? -Infinity) < REPEAT_MS) return;
        this.said.set(p, now);
        ctx.log(openErrorText(p, e));
      },
      onOpened: (p) => {
        this.said.delete(p);
        ctx.log(`${p} can be read now: following it`);
      },
    });
  }

  async start(): Promise<void> {
    /* the tailer starts in run(), once the agent announced itself */
  }
  run(): void {
    if (this.tailer) this.tailer.start();
    else this.begin?.();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.tailer?.stop();
    this.begin?.();
  }

  describe(): string {
    const type = this.cfg.labels.type;
    return this.cfg.filenames
      .map((f) => {
        const n = expandGlob(f).filter((p) => !this.cfg.exclude?.some((re) => re.test(p))).length;
        const cat = this.follows ? '' : ', mode cat';
        return `${f} (type ${type}${cat}${n === 0 ? ', waiting for it to appear' : f.match(/[*?[]/) ? `, ${n} files` : ''})`;
      })
      .join(', ');
  }

  counters(): CounterRow[] {
    const at = this.cfg.labels.type ?? '';
    const rows: CounterRow[] = [...this.hits].map(([source, value]) => ({
      name: HITS,
      labels: { source, datasource_type: 'file', acquis_type: at },
      value,
    }));
    for (const [key, value] of this.errors) {
      const [source, reason] = key.split('\u0000') as [string, string];
      rows.push({ name: ERRORS, labels: { source, reason }, value });
    }
    return rows;
  }
}

registerSource<FileConfig>({
  name: 'file',
  catMode: true,
  keys: new Set([
    ...COMMON_KEYS,
    'filenames',
    'filename',
    'poll_without_inotify',
    'exclude_regexps',
    'max_buffer_size',
    'force_inotify',
    'discovery_poll_enable',
    'discovery_poll_interval',
  ]),
  counters: [
    { name: HITS, help: 'Lines read from a file', labelNames: HIT_LABELS },
    {
      name: ERRORS,
      help: 'Files of the acquisition that could not be opened, per poll',
      labelNames: ['source', 'reason'],
    },
  ],
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
        try {
          return new RegExp(asText(r));
        } catch (e) {
          return fail(`"exclude_regexps"[${i}]: ${errorMessage(e)}`);
        }
      });
    }
    if (v.max_buffer_size !== undefined && v.max_buffer_size !== null) {
      const n = Number(v.max_buffer_size);
      if (!Number.isInteger(n) || n <= 0)
        fail(`"max_buffer_size": expected a positive number of bytes, got ${asText(v.max_buffer_size)}`);
      cfg.maxLineBytes = n;
    }
    for (const k of ['poll_without_inotify', 'force_inotify', 'discovery_poll_enable']) {
      const b = v[k];
      if (b !== undefined && b !== null && typeof b !== 'boolean') fail(`"${k}": expected true or false`);
    }
    const iv = v.discovery_poll_interval;
    if (iv !== undefined && iv !== null) {
      const ms = parseWireDuration(asText(iv));
      if (ms === null || ms <= 0)
        fail(`"discovery_poll_interval": '${asText(iv)}' is not a positive duration (e.g. 30s)`);
      cfg.discoveryMs = ms!;
    }
    return cfg;
  },
  create: (cfg, ctx) => new FileSource(cfg, ctx),
});
