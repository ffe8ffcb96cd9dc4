// The AS range table's binary cache: the shipped CSV files compiled once, at `npm run build`, into
// build/asn-table.bin (geo-csv.ts toBinary), read at first use instead of parsing ~515k CSV rows, which took
// ~0.5 s and ~80 MB of peak memory in every thread that enriches (bench/RESULTS.md "Address spray").
// The file starts with a fingerprint of its sources (size, modification time and a hash of the first and last
// 64 KiB of each CSV: an edited or replaced file changes its time even where its edges stay the same):
// a missing, stale or malformed cache is ignored and the caller parses the CSV, so results never depend on it.
// Owns: the cache file's place, its header and fingerprint, writing and reading it.

import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AsnRangeTable } from './geo-csv.js';

/** build/ at the package root (this module is dist/src/parser/enrich/asn-cache.js) */
export const ASN_CACHE_FILE = fileURLToPath(new URL('../../../../build/asn-table.bin', import.meta.url));

const EDGE = 1 << 16;

/** `size:mtime:hash` of a source file: FNV-1a over its first and last 64 KiB. */
function fingerprint(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const size = st.size;
    const b = Buffer.alloc(Math.min(size, 2 * EDGE));
    const head = readSync(fd, b, 0, Math.min(size, EDGE), 0);
    const tail = size > EDGE ? readSync(fd, b, head, Math.min(size - head, EDGE), Math.max(head, size - EDGE)) : 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < head + tail; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return `${size}:${Math.floor(st.mtimeMs)}:${(h >>> 0).toString(16)}`;
  } finally {
    closeSync(fd);
  }
}

/** The header line of a cache of these sources, padded with spaces to a multiple of 4 bytes. */
function header(v4Path: string, v6Path: string): Buffer {
  const line = `picket-asn-table ${fingerprint(v4Path)} ${fingerprint(v6Path)}`;
  return Buffer.from(`${line.padEnd(Math.ceil((line.length + 1) / 4) * 4 - 1, ' ')}\n`, 'latin1');
}

/** Compiles the two CSV files into the cache file `out` (written whole, then renamed into place). */
export function writeAsnCache(v4Path: string, v6Path: string, out: string = ASN_CACHE_FILE): void {
  const bin = AsnRangeTable.fromFiles(v4Path, v6Path).toBinary();
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([header(v4Path, v6Path), bin]));
  renameSync(tmp, out);
}

/** The table from the cache file when it was built from these very sources, else null. */
export function readAsnCache(v4Path: string, v6Path: string, file: string = ASN_CACHE_FILE): AsnRangeTable | null {
  let buf: Buffer;
  let want: Buffer;
  try {
    buf = readFileSync(file);
    want = header(v4Path, v6Path);
  } catch {
    return null;
  }
  if (buf.length < want.length || !buf.subarray(0, want.length).equals(want)) return null;
  return AsnRangeTable.fromBinary(buf.subarray(want.length));
}
