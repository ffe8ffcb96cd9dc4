// `mode: cat` of the file source (CrowdSec's readFile): every file matching the globs (minus exclude_regexps)
// is read once from its start (`.gz` decompressed), in name order, and handed over in batches flagged as a
// backlog (poured with the lines' own timestamps, as CrowdSec pours cat mode in time-machine mode); then the
// source ends. Lines longer than max_buffer_size are cut. Owns: this one-shot read.

import { readLogFile } from './read-all.js';
import { expandGlob } from './glob.js';
import { errorMessage } from '../../core/errors.js';

export interface CatOptions {
  patterns: string[];
  exclude?: RegExp[];
  maxLineBytes?: number;
  /** lines per batch (default 4096) */
  batch?: number;
  /** the consumer; a returned promise is the back-pressure */
  onLines(src: string, lines: string[]): void | Promise<void>;
  log(msg: string): void;
  /** true once the source is stopped: no more batches */
  stopped(): boolean;
}

/** reads every matching file once; resolves when all were handed over (or the source stopped) */
export async function catFiles(o: CatOptions): Promise<void> {
  const batch = o.batch ?? 4096;
  const files: string[] = [];
  for (const pat of o.patterns) {
    const found = expandGlob(pat).filter((p) => !o.exclude?.some((re) => re.test(p)));
    if (found.length === 0) o.log(`no file matches ${pat} (mode: cat)`);
    for (const f of found.sort()) if (!files.includes(f)) files.push(f);
  }
  for (const f of files) {
    let lines: string[];
    try {
      lines = readLogFile(f);
    } catch (e) {
      o.log(`ERROR: cannot read ${f}: ${errorMessage(e)} (mode: cat)`);
      continue;
    }
    const max = o.maxLineBytes;
    if (max !== undefined) {
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (Buffer.byteLength(l) > max) lines[i] = Buffer.from(l).subarray(0, max).toString('utf8');
      }
    }
    for (let i = 0; i < lines.length && !o.stopped(); i += batch) await o.onLines(f, lines.slice(i, i + batch));
    if (o.stopped()) return;
  }
}
