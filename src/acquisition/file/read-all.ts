// A whole log file read at once (hubtest, explain): `.gz` decompressed, split into lines (`\n` breaks, trailing
// `\r` removed, empty lines skipped). Owns: these two functions.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Split a log buffer into lines: `\n` breaks, trailing `\r` removed, empty lines skipped. */
export function splitLogLines(buf: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    const end = nl < 0 ? buf.length : nl;
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    if (e > start) out.push(buf.toString('utf8', start, e));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

export function readLogFile(path: string): string[] {
  let buf = readFileSync(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  return splitLogLines(buf);
}
