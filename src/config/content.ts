// Content discovery: finds the parser, postoverflow and scenario files, grok pattern folder and data
// folder of a content directory in the hub layout (`parsers/<stage>/**.yaml`, `postoverflows/<stage>/**.yaml`,
// `scenarios/**.yaml`, `patterns/`, `data/`). Items are found at any depth below each folder, so both the
// hub layout (`parsers/s01-parse/crowdsecurity/x.yaml`) and an installed CrowdSec layout
// (`/etc/crowdsec/parsers/s01-parse/x.yaml`) work. Also knows where Picket's embedded defaults live.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PicketError } from '../core/errors.js';

export interface StagedFile {
  path: string;
  stage: string;
}

export interface ContentSet {
  /** parser files with the stage they belong to (the directory right below `parsers/`) */
  parsers: StagedFile[];
  postoverflows: StagedFile[];
  scenarios: string[];
  /** grok pattern folder, when the content has one */
  patternsDir: string | null;
  /** folder that `data:` sections' dest_file are relative to */
  dataDir: string;
}

const YAML_RE = /\.ya?ml$/;

function walkYaml(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = fs.statSync(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue;
      }
    }
    if (isDir) {
      if (e.name !== 'data' && !e.name.startsWith('.')) walkYaml(p, out);
    } else if (isFile && YAML_RE.test(e.name)) out.push(p);
  }
}

function staged(root: string): StagedFile[] {
  const out: StagedFile[] = [];
  let stages: fs.Dirent[];
  try {
    stages = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const s of stages) {
    if (!s.isDirectory() && !s.isSymbolicLink()) continue;
    const files: string[] = [];
    walkYaml(path.join(root, s.name), files);
    for (const f of files) out.push({ path: f, stage: s.name });
  }
  return sortStaged(out);
}

/** Stage order, then file basename (byte order) as CrowdSec installs items, then full path for ties. */
export function sortStaged(files: StagedFile[]): StagedFile[] {
  return files.sort(
    (a, b) => cmp(a.stage, b.stage) || cmp(path.basename(a.path), path.basename(b.path)) || cmp(a.path, b.path),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function discoverContent(dir: string): ContentSet {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new PicketError('CONFIG_NO_CONTENT', `content folder ${root} does not exist`);
  const scenarios: string[] = [];
  walkYaml(path.join(root, 'scenarios'), scenarios);
  scenarios.sort(cmp);
  const patternsDir = path.join(root, 'patterns');
  return {
    parsers: staged(path.join(root, 'parsers')),
    postoverflows: staged(path.join(root, 'postoverflows')),
    scenarios,
    patternsDir: fs.existsSync(patternsDir) ? patternsDir : null,
    dataDir: path.join(root, 'data'),
  };
}

/** The repository root (where Picket's default `parsers/` and `scenarios/` are). */
export function packageRoot(): string {
  // this file is dist/src/config/content.js (or src/config/content.ts under a loader)
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    d = path.dirname(d);
  }
  throw new PicketError('CONFIG_NO_PACKAGE_ROOT', 'cannot find the Picket package root');
}

/** Picket's embedded default content: the repository's parsers/ and scenarios/. */
export function defaultContent(): ContentSet {
  return discoverContent(packageRoot());
}
