// stdin acquisition (`source: stdin`): complete lines of standard input in batches, `\r\n` handled,
// empty lines skipped, the last unterminated line delivered at end of input. Back-pressure: the callback's
// promise is awaited before the next chunk is read.

import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export async function readStdinLines(
  onLines: (lines: string[]) => void | Promise<void>,
  input: Readable = process.stdin,
): Promise<number> {
  let partial = '';
  let total = 0;
  const dec = new StringDecoder('utf8');
  for await (const chunk of input) {
    const text = partial + (typeof chunk === 'string' ? chunk : dec.write(chunk as Buffer));
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let e = nl;
      if (e > start && text.charCodeAt(e - 1) === 13) e--;
      if (e > start) lines.push(text.slice(start, e));
      start = nl + 1;
    }
    partial = text.slice(start);
    if (lines.length) {
      total += lines.length;
      const r = onLines(lines);
      if (r) await r;
    }
  }
  if (partial.endsWith('\r')) partial = partial.slice(0, -1);
  if (partial) {
    total++;
    const r = onLines([partial]);
    if (r) await r;
  }
  return total;
}
