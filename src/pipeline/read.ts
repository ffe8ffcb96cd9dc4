// Reading a whole log file for a replay, as line batches: plain or gzip (`.gz`, or gzip magic bytes)
// decompressed as a stream, `\n` breaks, trailing `\r` dropped, empty lines skipped (as the file tailer
// does). Owns: chunk splitting with a carried partial line, back-pressure (the callback's promise is awaited
// before the next chunk), a clear error for missing / unreadable files.

import fs from 'node:fs';
import { createGunzip } from 'node:zlib';

export class LogReadError extends Error {
  constructor(readonly file: string, message: string) { super(`${file}: ${message}`); this.name = 'LogReadError'; }
}

function isGzip(file: string): boolean {
  if (file.endsWith('.gz')) return true;
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch { return false; } finally { if (fd !== null) fs.closeSync(fd); }
}

/** Calls `onLines` with consecutive batches of complete lines; resolves with the number of lines. */
export async function readLogLines(file: string, onLines: (lines: string[]) => void | Promise<void>): Promise<number> {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LogReadError(file, code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  if (!st.isFile()) throw new LogReadError(file, 'not a regular file');
  const gz = isGzip(file);
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream: NodeJS.ReadableStream = gz ? input.pipe(createGunzip({ chunkSize: 1 << 20 })) : input;
  if (gz) input.on('error', (e) => (stream as unknown as { destroy(e: Error): void }).destroy(e));
  let partial: Buffer | null = null;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = chunk;
      if (partial) { buf = Buffer.concat([partial, chunk]); partial = null; }
      const lines: string[] = [];
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        let e = nl;
        if (e > start && buf[e - 1] === 13) e--;
        if (e > start) lines.push(buf.toString('utf8', start, e));
        start = nl + 1;
      }
      if (start < buf.length) partial = Buffer.from(buf.subarray(start));
      if (lines.length) { total += lines.length; const r = onLines(lines); if (r) await r; }
    }
  } catch (e) {
    if (e instanceof LogReadError) throw e;
    throw new LogReadError(file, `${gz ? 'gzip ' : ''}read error: ${(e as Error).message}`);
  }
  if (partial && partial.length) {
    let e = partial.length;
    if (partial[e - 1] === 13) e--;
    if (e > 0) { total++; const r = onLines([partial.toString('utf8', 0, e)]); if (r) await r; }
  }
  return total;
}
