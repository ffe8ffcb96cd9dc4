// File acquisition with `tail -F` semantics: globs re-expanded on every poll (files that appear later
// are picked up from their start), rotation by rename (the old file is drained to its end, then the
// new one is read from 0), truncation (read again from 0), partial last lines kept until completed.
// Read positions can be persisted through a PositionStore so a restart resumes where it stopped.
// Back-pressure: the consumer's callback may return a promise; no more is read until it settles.
// Turns: a read chunk (1 MiB, ~10,000 short lines) is handed over in slices of SLICE_LINES lines, and the event loop
// is given a turn (setImmediate) whenever YIELD_MS have passed since the last one, so that a large backlog read by an
// in-process pipeline never holds the Local API, the metrics and the signals for the whole chunk (or the whole file:
// a settled promise does not let I/O run). The read position advances slice by slice.
// Backlog: the content a file already had when it was opened at an earlier position (resumed from a saved
// position, --from-start, a file that appeared with content) is handed over flagged `backlog` (the agent pours it
// with the lines' own timestamps); what is appended afterwards is live.

import fs from 'node:fs';
import { expandGlob } from './glob.js';
import { TurnClock } from '../../core/turn-clock.js';

/** lines handed to the consumer at once (~10 ms of in-process parsing and pouring) */
const SLICE_LINES = 512;
/** longest run of slices without giving the event loop a turn */
const YIELD_MS = 10;

export interface FilePosition {
  ino: number;
  pos: number;
}

/** Where read positions are kept (LMDB in the agent; a Map in tests). */
export interface PositionStore {
  get(path: string): FilePosition | undefined;
  set(path: string, p: FilePosition): void;
}

export interface FileTailOptions {
  /** file names or globs */
  patterns: string[];
  /** paths matching one of these are not read (acquis `exclude_regexps`) */
  exclude?: RegExp[];
  /** called with complete lines of one file, in order; `backlog`: read from before the file's end at open */
  onLines: (src: string, lines: string[], backlog: boolean) => void | Promise<void>;
  /** poll interval in ms (default 200) */
  pollMs?: number;
  /** files present at start: read from the beginning (true) or only new data (false, default, like CrowdSec) */
  fromStart?: boolean;
  positions?: PositionStore;
  /** a line longer than this is cut and counted in `stats.truncatedLines` (default 4 MiB) */
  maxLineBytes?: number;
  /** bytes read per syscall (default 1 MiB) */
  chunkBytes?: number;
  /** a file appeared after the start, was rotated (renamed and re-created), truncated, or removed */
  onFileEvent?: (event: FileEvent, path: string) => void;
  /** a file that exists but cannot be opened (EACCES...): called on every poll until it opens */
  onOpenError?: (path: string, e: NodeJS.ErrnoException) => void;
  /** a file that could not be opened before was opened */
  onOpened?: (path: string) => void;
}

export type FileEvent = 'appeared' | 'rotated' | 'truncated' | 'removed';

interface OpenFile {
  path: string;
  fd: number;
  ino: number;
  pos: number;
  /** the file's size when opened: data before it is backlog */
  catchupEnd: number;
  partial: Buffer | null;
  /** an over-long line was cut: drop bytes until its end */
  skipping: boolean;
}

export class FileTailer {
  readonly stats = { linesRead: 0, bytesRead: 0, truncatedLines: 0, rotations: 0, truncations: 0, openErrors: 0 };
  private readonly files = new Map<string, OpenFile>();
  private readonly opts: Required<
    Omit<FileTailOptions, 'positions' | 'exclude' | 'onOpenError' | 'onOpened' | 'onFileEvent'>
  > &
    Pick<FileTailOptions, 'positions' | 'exclude' | 'onOpenError' | 'onOpened' | 'onFileEvent'>;
  /** files whose last open failed */
  private readonly failing = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private first = true;
  private readonly buf: Buffer;
  /** chunk offsets just after the last line of each full slice of the chunk being split (see drain) */
  private readonly sliceEnds: number[] = [];
  private readonly turns = new TurnClock(YIELD_MS);
  private stopped = false;

  constructor(opts: FileTailOptions) {
    this.opts = { pollMs: 200, fromStart: false, maxLineBytes: 4 << 20, chunkBytes: 1 << 20, ...opts };
    this.buf = Buffer.allocUnsafe(this.opts.chunkBytes);
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.pollOnce()
        .catch(() => {
          /* errors are counted per file */
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.opts.pollMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const f of this.files.values()) closeQuiet(f.fd);
    this.files.clear();
  }

  /** Files currently followed. */
  watched(): string[] {
    return [...this.files.keys()];
  }

  /** One pass: discover files, detect rotation/truncation, read everything new. */
  async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const seen = new Set<string>();
      const ex = this.opts.exclude;
      for (const pattern of this.opts.patterns) {
        for (const p of expandGlob(pattern)) if (ex === undefined || !ex.some((re) => re.test(p))) seen.add(p);
      }
      for (const p of seen) {
        let f = this.files.get(p);
        if (!f) {
          const opened = this.open(p, this.first && !this.opts.fromStart);
          if (!opened) continue;
          f = opened;
          this.files.set(p, f);
          if (!this.first) this.opts.onFileEvent?.('appeared', p);
        }
        await this.follow(f);
      }
      // files that vanished: drain what is left, then forget them (a re-created file is found again by the glob)
      for (const [p, f] of this.files) {
        if (seen.has(p)) continue;
        await this.drain(f);
        this.flushPartial(f);
        closeQuiet(f.fd);
        this.files.delete(p);
        this.opts.onFileEvent?.('removed', p);
      }
    } finally {
      this.first = false;
      this.polling = false;
    }
  }

  private open(p: string, atEnd: boolean): OpenFile | null {
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (e) {
      this.stats.openErrors++;
      this.failing.add(p);
      this.opts.onOpenError?.(p, e as NodeJS.ErrnoException);
      return null;
    }
    if (this.failing.delete(p)) this.opts.onOpened?.(p);
    const st = fs.fstatSync(fd);
    const saved = this.opts.positions?.get(p);
    let pos = atEnd ? st.size : 0;
    if (saved && saved.ino === st.ino && saved.pos <= st.size) pos = saved.pos;
    return { path: p, fd, ino: st.ino, pos, catchupEnd: st.size, partial: null, skipping: false };
  }

  private async follow(f: OpenFile): Promise<void> {
    let st: fs.Stats;
    try {
      st = fs.statSync(f.path);
    } catch {
      return;
    }
    if (st.ino !== f.ino) {
      // rotated by rename: finish the old file, then start the new one from 0
      await this.drain(f);
      this.flushPartial(f);
      closeQuiet(f.fd);
      this.stats.rotations++;
      this.opts.onFileEvent?.('rotated', f.path);
      const nf = this.open(f.path, false);
      if (!nf) {
        this.files.delete(f.path);
        return;
      }
      nf.pos = 0;
      this.files.set(f.path, nf);
      f = nf;
    } else if (st.size < f.pos) {
      this.stats.truncations++;
      this.opts.onFileEvent?.('truncated', f.path);
      f.pos = 0;
      f.catchupEnd = 0;
      f.partial = null;
    }
    await this.drain(f);
  }

  private async drain(f: OpenFile): Promise<void> {
    for (;;) {
      let n: number;
      const backlog = f.pos < f.catchupEnd;
      try {
        n = fs.readSync(f.fd, this.buf, 0, this.buf.length, f.pos);
      } catch {
        return;
      }
      if (n <= 0) return;
      const chunkPos = f.pos;
      f.pos += n;
      this.stats.bytesRead += n;
      const lines = this.split(f, this.buf.subarray(0, n));
      this.stats.linesRead += lines.length;
      for (let i = 0, k = 0; i < lines.length; i += SLICE_LINES, k++) {
        const part = lines.length <= SLICE_LINES ? lines : lines.slice(i, i + SLICE_LINES);
        const r = this.opts.onLines(f.path, part, backlog);
        if (r) await r;
        if (i + SLICE_LINES >= lines.length) break;
        // a full slice with more to come: the next unread byte follows its last line
        this.opts.positions?.set(f.path, { ino: f.ino, pos: chunkPos + this.sliceEnds[k]! });
        if (this.turns.spent()) {
          await this.turns.turn();
          if (this.stopped) return;
        }
      }
      this.opts.positions?.set(f.path, { ino: f.ino, pos: f.pos - (f.partial ? f.partial.length : 0) });
      if (n < this.buf.length) {
        this.turns.restart(); // the poll timer gives the loop its turn
        return;
      }
      if (this.turns.spent()) {
        await this.turns.turn();
        if (this.stopped) return;
      }
    }
  }

  /** Split a chunk into complete lines (without `\n` / trailing `\r`); the unterminated tail is kept. */
  private split(f: OpenFile, chunk: Buffer): string[] {
    const lines: string[] = [];
    const ends = this.sliceEnds;
    ends.length = 0;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (f.skipping) {
        f.skipping = false;
        start = nl + 1;
        continue;
      }
      let piece: Buffer = chunk.subarray(start, nl);
      if (f.partial) {
        piece = Buffer.concat([f.partial, piece]);
        f.partial = null;
      }
      const had = lines.length;
      this.pushLine(lines, piece);
      start = nl + 1;
      if (lines.length !== had && lines.length % SLICE_LINES === 0) ends.push(start);
    }
    if (start < chunk.length && !f.skipping) {
      const rest = chunk.subarray(start);
      const joined = f.partial ? Buffer.concat([f.partial, rest]) : Buffer.from(rest);
      if (joined.length > this.opts.maxLineBytes) {
        this.stats.truncatedLines++;
        this.pushLine(lines, joined.subarray(0, this.opts.maxLineBytes));
        f.partial = null;
        f.skipping = true;
      } else f.partial = joined;
    }
    return lines;
  }

  private pushLine(lines: string[], piece: Buffer): void {
    let end = piece.length;
    if (end > 0 && piece[end - 1] === 13) end--;
    if (end === 0) return; // empty lines are skipped, as CrowdSec does
    if (end > this.opts.maxLineBytes) {
      this.stats.truncatedLines++;
      end = this.opts.maxLineBytes;
    }
    lines.push(piece.toString('utf8', 0, end));
  }

  private flushPartial(f: OpenFile): void {
    if (!f.partial || f.partial.length === 0) return;
    const lines: string[] = [];
    this.pushLine(lines, f.partial);
    f.partial = null;
    if (lines.length) {
      this.stats.linesRead += lines.length;
      void this.opts.onLines(f.path, lines, false);
    }
  }
}

function closeQuiet(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
}
