// Filename globs for acquisition (`filenames: [/var/log/nginx/*.log]`): `*`, `?`, `[...]` and `**`
// in any path segment, expanded against the file system. Node 20 has no fs.glob, hence this module.

import fs from 'node:fs';
import path from 'node:path';

const MAGIC = /[*?[]/;

export function hasMagic(p: string): boolean {
  return MAGIC.test(p);
}

/** Translate one path segment glob into an anchored RegExp. */
export function segmentToRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Expand a glob into the sorted list of existing regular files it names. */
export function expandGlob(pattern: string): string[] {
  const abs = path.resolve(pattern);
  if (!hasMagic(abs)) {
    try {
      return fs.statSync(abs).isFile() ? [abs] : [];
    } catch {
      return [];
    }
  }
  const segs = abs.split(path.sep).filter((s, i) => s !== '' || i === 0);
  const out = new Set<string>();
  walk(path.sep, segs.slice(1), out);
  return [...out].sort();
}

function walk(dir: string, rest: string[], out: Set<string>): void {
  if (rest.length === 0) return;
  const [seg, ...tail] = rest as [string, ...string[]];
  if (seg === '**') {
    walk(dir, tail, out);
    for (const e of readdir(dir)) if (e.isDirectory()) walk(path.join(dir, e.name), rest, out);
    return;
  }
  if (!hasMagic(seg)) {
    const p = path.join(dir, seg);
    if (tail.length === 0) {
      if (isFile(p)) out.add(p);
    } else walk(p, tail, out);
    return;
  }
  const re = segmentToRegExp(seg);
  for (const e of readdir(dir)) {
    if (!re.test(e.name)) continue;
    const p = path.join(dir, e.name);
    if (tail.length === 0) {
      if (isFile(p)) out.add(p);
    } else if (e.isDirectory() || e.isSymbolicLink()) walk(p, tail, out);
  }
}

function readdir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
