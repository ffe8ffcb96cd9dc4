// Building a ParserTree from installed parser (or postoverflow) files (parsing.md §3-§4, §7, §10).
// Owns: file ordering (stage, then file basename in byte order, as hubtest installs them), document ->
// node compilation (filter, pattern_syntax into the tree-wide grok library, grok by name or pattern,
// grok input, statics, stash, whitelist, children), data-file loading, the stage list, load errors that name
// file, node and field. Any compile error aborts the whole load (ParserLoadError).

import { basename } from 'node:path';
import { compileExpr, loadDataFile, PatternLibrary, type EnrichContext, type GrokPattern } from './deps.js';
import { parseParserFile, parseParserText, ParserLoadError, type NodeConfig } from './config.js';
import { APPLY_EXPR, APPLY_PARSED, APPLY_RAW, CompiledNode } from './node.js';
import { CompiledStatic, type StaticsSink } from './statics.js';
import { CompiledStash } from './stash.js';
import { CompiledWhitelist } from './whitelist.js';
import { ParserTree } from './runtime.js';
import { errorMessage } from '../core/errors.js';

export interface ParserFileSpec {
  /** path of the file (used for reading, messages and ordering by basename) */
  path: string;
  /** stage = installed directory name (s00-raw ...) */
  stage: string;
  /** inline YAML text instead of reading `path` (e.g. hubtest's 00_overrides.yaml) */
  text?: string;
}

export interface LoadOptions {
  /** tree-wide grok library (pattern_syntax entries are added to it) */
  patterns: PatternLibrary;
  /** data directory for `data:` dest_file entries */
  dataDir: string;
  enrich: EnrichContext;
  /** nodes added as inline YAML files */
  extraNodes?: ParserFileSpec[];
  /** runtime warnings sink (static expression errors, bad targets ...) */
  sink?: StaticsSink | null;
  /** RE2.Set prefilter over sibling grok children (default: at least 3 such children; 0 disables) */
  grokSetMinChildren?: number;
}

function byteCompare(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** Order files like crowdsec: by installed path `<stage>/<basename>` (byte order); stable for equal keys. */
export function orderParserFiles(files: ParserFileSpec[]): ParserFileSpec[] {
  return files
    .map((f, i) => ({ f, i }))
    .sort(
      (x, y) => byteCompare(x.f.stage, y.f.stage) || byteCompare(basename(x.f.path), basename(y.f.path)) || x.i - y.i,
    )
    .map((x) => x.f);
}

export function loadParserTree(files: ParserFileSpec[], opts: LoadOptions): ParserTree {
  const all = orderParserFiles([...files, ...(opts.extraNodes ?? [])]);
  const warnings: string[] = [];
  const nodes: CompiledNode[] = [];
  const stageSet = new Set<string>();
  for (const f of all) {
    if (!/\.ya?ml$/.test(f.path)) continue;
    const parsed = f.text !== undefined ? parseParserText(f.path, f.text) : parseParserFile(f.path);
    warnings.push(...parsed.warnings);
    for (const cfg of parsed.nodes) {
      for (const d of cfg.data) {
        if (!d.dest_file) continue;
        const err = loadDataFile(d.dest_file, d.type, opts.dataDir);
        if (err) warnings.push(`${f.path}: node "${cfg.name}": data file: ${err.message}`);
      }
      const node = compileNode(cfg, f.stage, opts, warnings, '');
      nodes.push(node);
      stageSet.add(f.stage);
    }
  }
  const stages = [...stageSet].sort(byteCompare);
  // nodes are already grouped by stage in stage order (files were sorted by stage first)
  return new ParserTree(stages, nodes, opts.enrich, opts.sink ?? null, warnings);
}

function nodeWhere(cfg: NodeConfig, path: string): string {
  return `${cfg.file}: document ${cfg.doc} node "${cfg.name}"${path ? ` (${path})` : ''}`;
}

function compileNode(
  cfg: NodeConfig,
  stage: string,
  opts: LoadOptions,
  warnings: string[],
  path: string,
): CompiledNode {
  const where = nodeWhere(cfg, path);
  const n = new CompiledNode();
  n.name = cfg.name;
  n.stage = stage;
  n.where = where;
  n.nextStage = cfg.onsuccess === 'next_stage';
  if (cfg.filter !== '') {
    try {
      n.filter = compileExpr(cfg.filter, { env: 'evt', where: `${where} filter` });
    } catch (e) {
      throw new ParserLoadError(`${where}: field "filter": ${errorMessage(e)}`);
    }
  }
  for (const [name, re] of cfg.pattern_syntax) {
    let added: boolean;
    try {
      added = opts.patterns.addPatternSyntax(name, re, `${where} pattern_syntax.${name}`);
    } catch (e) {
      throw new ParserLoadError(
        `${where}: field "pattern_syntax.${name}": unable to compile subpattern ${name}: ${errorMessage(e)}`,
      );
    }
    if (!added) warnings.push(`${where}: grok '${name}' already registered, first definition kept`);
  }
  const g = cfg.grok;
  if (g !== null && (g.name !== '' || g.pattern !== '')) {
    let pat: GrokPattern;
    if (g.name !== '') {
      try {
        pat = opts.patterns.compile(`%{${g.name}}`, `${where} grok.name`);
      } catch (e) {
        throw new ParserLoadError(`${where}: field "grok.name": unable to find grok '${g.name}': ${errorMessage(e)}`);
      }
    } else {
      try {
        pat = opts.patterns.compile(g.pattern, `${where} grok.pattern`);
      } catch (e) {
        throw new ParserLoadError(
          `${where}: field "grok.pattern": failed to compile grok '${g.pattern}': ${errorMessage(e)}`,
        );
      }
    }
    n.grok = pat;
    if (g.apply_on === 'Line.Raw') n.grokApply = APPLY_RAW;
    else if (g.apply_on !== '') {
      n.grokApply = APPLY_PARSED;
      n.grokField = g.apply_on;
    } else n.grokApply = APPLY_EXPR;
  }
  if (g !== null && g.expression !== '') {
    try {
      n.grokExpr = compileExpr(g.expression, { env: 'evt', where: `${where} grok.expression` });
    } catch (e) {
      throw new ParserLoadError(
        `${where}: field "grok.expression": while compiling grok's expression: ${errorMessage(e)}`,
      );
    }
  }
  if (g !== null) {
    n.grokStatics = g.statics.map(
      (s, i) => new CompiledStatic(s, `${where} grok.statics[${i}]${s.line ? ` (line ${s.line})` : ''}`, warnings),
    );
  }
  n.stash = cfg.stash.map((s, i) => new CompiledStash(s, `${where} stash[${i}]`));
  n.children = cfg.nodes.map((c, i) => compileNode(c, stage, opts, warnings, `${path ? path + '.' : ''}nodes[${i}]`));
  n.statics = cfg.statics.map(
    (s, i) => new CompiledStatic(s, `${where} statics[${i}]${s.line ? ` (line ${s.line})` : ''}`, warnings),
  );
  if (cfg.whitelist !== null) {
    const wl = new CompiledWhitelist(cfg.whitelist, where);
    warnings.push(...wl.warnings);
    if (wl.hasEntries || wl.reason !== '') n.whitelist = wl;
  }
  const minSet = opts.grokSetMinChildren ?? 3;
  if (minSet > 0) n.buildChildPrefilter(minSet);
  return n;
}
