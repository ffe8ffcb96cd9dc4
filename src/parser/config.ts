// Parser node configuration: the YAML schema of a parser/postoverflow node and its STRICT decoding.
// Owns: reading one parser file (multi-document YAML) into NodeConfig objects, mirroring go-yaml v2
// `SetStrict(true)` decoding of crowdsec's `parser.Node` (unknown keys, wrong types and malformed YAML are
// load errors naming file, document number, node name, key and line), plus the load-time validation rules
// of parsing.md §3-§4 that do not need compiled objects (format constraint, onsuccess values, statics shape,
// grok pattern|name + apply_on|expression). String fields keep the raw scalar text (`value: yes` is "yes").

import { ConfigFileTooLargeError, readConfigText } from '../core/config-file.js';
import * as YAML from 'yaml';
import { goBool, goInt, keyName, nodeLine } from '../core/yaml-strict.js';
import { errorMessage, PicketError } from '../core/errors.js';

export interface StaticConfig {
  method: string;
  meta: string;
  parsed: string;
  enriched: string;
  target: string;
  value: string;
  expression: string;
  /** 1-based line of the static in its file (0 when unknown) */
  line: number;
}

export interface GrokConfig {
  pattern: string;
  name: string;
  apply_on: string;
  expression: string;
  statics: StaticConfig[];
}

export interface WhitelistConfig {
  reason: string;
  ip: string[];
  cidr: string[];
  expression: string[];
}

export interface StashConfig {
  name: string;
  key: string;
  value: string;
  ttl: string;
  size: number;
  strategy: string;
}

export interface DataConfig {
  source_url: string;
  dest_file: string;
  type: string;
  strategy: string;
  size: number | null;
  ttl: string;
  cache: boolean | null;
}

export interface NodeConfig {
  name: string;
  description: string;
  author: string;
  references: string[];
  format: string;
  debug: boolean;
  profiling: boolean;
  filter: string;
  onsuccess: string;
  stage: string;
  nodes: NodeConfig[];
  /** ordered NAME -> regex */
  pattern_syntax: [string, string][];
  grok: GrokConfig | null;
  statics: StaticConfig[];
  stash: StashConfig[];
  whitelist: WhitelistConfig | null;
  data: DataConfig[];
  /** where it came from, for error messages */
  file: string;
  doc: number;
  line: number;
}

/** A load error: names the file, the document/node and the field. */
export class ParserLoadError extends PicketError {
  constructor(message: string) {
    super('CONTENT_BAD_PARSER', message);
  }
}

interface Ctx {
  file: string;
  doc: number;
  nodeName: string;
  lc: YAML.LineCounter;
  ydoc: YAML.Document | null;
}

/** Resolve `*alias` references to their anchored node. */
function deref(ctx: Ctx, n: unknown): unknown {
  if (YAML.isAlias(n) && ctx.ydoc) return n.resolve(ctx.ydoc) ?? null;
  return n;
}

function lineOf(ctx: Ctx, n: YAML.Node | YAML.Pair | null | undefined): number {
  return nodeLine(ctx.lc, n);
}

function where(ctx: Ctx, n: YAML.Node | YAML.Pair | null | undefined, key: string): string {
  const line = lineOf(ctx, n);
  const node = ctx.nodeName ? ` node "${ctx.nodeName}"` : '';
  return `${ctx.file}: document ${ctx.doc}${node}${line ? ` (line ${line})` : ''}: field "${key}"`;
}

const NULLS = new Set(['~', 'null', 'Null', 'NULL', '']);

function isNullScalar(n: unknown): boolean {
  return n == null || (YAML.isScalar(n) && n.type === 'PLAIN' && NULLS.has(String(n.value)));
}

function str(ctx: Ctx, n: unknown, key: string): string {
  n = deref(ctx, n);
  if (isNullScalar(n)) return '';
  if (YAML.isScalar(n)) return String(n.value);
  throw new ParserLoadError(`${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${kindName(n)} into string`);
}

function kindName(n: unknown): string {
  if (YAML.isMap(n)) return '!!map';
  if (YAML.isSeq(n)) return '!!seq';
  return '!!str';
}

function bool(ctx: Ctx, n: unknown, key: string): boolean {
  n = deref(ctx, n);
  if (isNullScalar(n)) return false;
  if (YAML.isScalar(n)) {
    const b = goBool(String(n.value));
    if (b !== undefined) return b;
  }
  throw new ParserLoadError(
    `${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${YAML.isScalar(n) ? `!!str \`${String((n as YAML.Scalar).value)}\`` : kindName(n)} into bool`,
  );
}

function int(ctx: Ctx, n: unknown, key: string): number {
  n = deref(ctx, n);
  if (isNullScalar(n)) return 0;
  if (YAML.isScalar(n)) {
    const v = goInt(String(n.value));
    if (v !== undefined) return v;
  }
  throw new ParserLoadError(
    `${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${YAML.isScalar(n) ? `!!str \`${String((n as YAML.Scalar).value)}\`` : kindName(n)} into int`,
  );
}

function strList(ctx: Ctx, n: unknown, key: string): string[] {
  n = deref(ctx, n);
  if (isNullScalar(n)) return [];
  if (!YAML.isSeq(n))
    throw new ParserLoadError(`${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${kindName(n)} into []string`);
  return n.items.map((it) => str(ctx, it, key));
}

function seq(ctx: Ctx, n: unknown, key: string): unknown[] {
  n = deref(ctx, n);
  if (isNullScalar(n)) return [];
  if (!YAML.isSeq(n))
    throw new ParserLoadError(`${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${kindName(n)} into a list`);
  return n.items;
}

/** Iterate a map's pairs with strict key checking. */
function pairs(
  ctx: Ctx,
  n: unknown,
  key: string,
  allowed: ReadonlySet<string>,
  what: string,
): [string, unknown, YAML.Pair][] {
  n = deref(ctx, n);
  if (isNullScalar(n)) return [];
  if (!YAML.isMap(n))
    throw new ParserLoadError(`${where(ctx, n as YAML.Node, key)}: cannot unmarshal ${kindName(n)} into ${what}`);
  const out: [string, unknown, YAML.Pair][] = [];
  for (const p of n.items) {
    const k = keyName(p.key);
    if (!allowed.has(k)) {
      throw new ParserLoadError(
        `${where(ctx, p.key as YAML.Node, k)}: unknown key "${k}" in ${what} (strict decoding)`,
      );
    }
    out.push([k, p.value, p]);
  }
  return out;
}

const NODE_KEYS = new Set([
  'format',
  'filter',
  'debug',
  'profiling',
  'name',
  'author',
  'description',
  'references',
  'stage',
  'onsuccess',
  'nodes',
  'pattern_syntax',
  'grok',
  'statics',
  'stash',
  'whitelist',
  'data',
]);
const GROK_KEYS = new Set(['apply_on', 'name', 'pattern', 'expression', 'statics']);
const STATIC_KEYS = new Set(['meta', 'parsed', 'enriched', 'target', 'value', 'expression', 'method']);
const WL_KEYS = new Set(['reason', 'ip', 'cidr', 'expression']);
const STASH_KEYS = new Set(['name', 'key', 'value', 'ttl', 'size', 'strategy']);
const DATA_KEYS = new Set(['source_url', 'dest_file', 'type', 'strategy', 'size', 'ttl', 'cache']);

function decodeStatic(ctx: Ctx, n: unknown, key: string): StaticConfig {
  const s: StaticConfig = {
    method: '',
    meta: '',
    parsed: '',
    enriched: '',
    target: '',
    value: '',
    expression: '',
    line: lineOf(ctx, n as YAML.Node),
  };
  for (const [k, v] of pairs(ctx, n, key, STATIC_KEYS, 'static')) {
    (s as unknown as Record<string, string>)[k] = str(ctx, v, `${key}.${k}`);
  }
  return s;
}

function decodeStatics(ctx: Ctx, n: unknown, key: string): StaticConfig[] {
  return seq(ctx, n, key).map((it, i) => decodeStatic(ctx, it, `${key}[${i}]`));
}

function decodeGrok(ctx: Ctx, n: unknown): GrokConfig {
  const g: GrokConfig = { pattern: '', name: '', apply_on: '', expression: '', statics: [] };
  for (const [k, v] of pairs(ctx, n, 'grok', GROK_KEYS, 'grok')) {
    if (k === 'statics') g.statics = decodeStatics(ctx, v, 'grok.statics');
    else (g as unknown as Record<string, string>)[k] = str(ctx, v, `grok.${k}`);
  }
  return g;
}

function decodeWhitelist(ctx: Ctx, n: unknown): WhitelistConfig {
  const w: WhitelistConfig = { reason: '', ip: [], cidr: [], expression: [] };
  for (const [k, v] of pairs(ctx, n, 'whitelist', WL_KEYS, 'whitelist')) {
    if (k === 'reason') w.reason = str(ctx, v, 'whitelist.reason');
    else (w as unknown as Record<string, string[]>)[k] = strList(ctx, v, `whitelist.${k}`);
  }
  return w;
}

function decodeStash(ctx: Ctx, n: unknown, key: string): StashConfig {
  const s: StashConfig = { name: '', key: '', value: '', ttl: '', size: 0, strategy: '' };
  for (const [k, v] of pairs(ctx, n, key, STASH_KEYS, 'stash')) {
    if (k === 'size') s.size = int(ctx, v, `${key}.size`);
    else (s as unknown as Record<string, string>)[k] = str(ctx, v, `${key}.${k}`);
  }
  return s;
}

function decodeData(ctx: Ctx, n: unknown, key: string): DataConfig {
  const d: DataConfig = { source_url: '', dest_file: '', type: '', strategy: '', size: null, ttl: '', cache: null };
  for (const [k, v] of pairs(ctx, n, key, DATA_KEYS, 'data')) {
    if (k === 'size') d.size = int(ctx, v, `${key}.size`);
    else if (k === 'cache') d.cache = bool(ctx, v, `${key}.cache`);
    else (d as unknown as Record<string, string>)[k] = str(ctx, v, `${key}.${k}`);
  }
  return d;
}

function decodePatternSyntax(ctx: Ctx, n: unknown): [string, string][] {
  n = deref(ctx, n);
  if (isNullScalar(n)) return [];
  if (!YAML.isMap(n))
    throw new ParserLoadError(
      `${where(ctx, n as YAML.Node, 'pattern_syntax')}: cannot unmarshal ${kindName(n)} into an ordered map`,
    );
  return n.items.map((p) => {
    const k = keyName(p.key);
    return [k, str(ctx, p.value, `pattern_syntax.${k}`)] as [string, string];
  });
}

function decodeNode(ctx: Ctx, n: unknown, prefix: string): NodeConfig {
  n = deref(ctx, n);
  const node: NodeConfig = {
    name: '',
    description: '',
    author: '',
    references: [],
    format: '',
    debug: false,
    profiling: false,
    filter: '',
    onsuccess: '',
    stage: '',
    nodes: [],
    pattern_syntax: [],
    grok: null,
    statics: [],
    stash: [],
    whitelist: null,
    data: [],
    file: ctx.file,
    doc: ctx.doc,
    line: lineOf(ctx, n as YAML.Node),
  };
  if (!YAML.isMap(n)) {
    throw new ParserLoadError(
      `${ctx.file}: document ${ctx.doc}${node.line ? ` (line ${node.line})` : ''}: cannot unmarshal ${kindName(n)} into a parser node`,
    );
  }
  // find the name first so that errors on other keys can name the node
  const saved = ctx.nodeName;
  for (const p of n.items) {
    if (YAML.isScalar(p.key) && p.key.value === 'name' && YAML.isScalar(p.value)) ctx.nodeName = String(p.value.value);
  }
  const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
  for (const [k, v] of pairs(ctx, n, prefix || 'node', NODE_KEYS, 'parser node')) {
    switch (k) {
      case 'name':
      case 'description':
      case 'author':
      case 'format':
      case 'filter':
      case 'onsuccess':
      case 'stage':
        node[k] = str(ctx, v, key(k));
        break;
      case 'debug':
      case 'profiling':
        node[k] = bool(ctx, v, key(k));
        break;
      case 'references':
        node.references = strList(ctx, v, key(k));
        break;
      case 'nodes':
        node.nodes = seq(ctx, v, key(k)).map((c, i) => decodeNode(ctx, c, key(`nodes[${i}]`)));
        break;
      case 'pattern_syntax':
        node.pattern_syntax = decodePatternSyntax(ctx, v);
        break;
      case 'grok':
        node.grok = isNullScalar(v) ? null : decodeGrok(ctx, v);
        break;
      case 'statics':
        node.statics = decodeStatics(ctx, v, key('statics'));
        break;
      case 'stash':
        node.stash = seq(ctx, v, key(k)).map((c, i) => decodeStash(ctx, c, key(`stash[${i}]`)));
        break;
      case 'whitelist':
        node.whitelist = isNullScalar(v) ? null : decodeWhitelist(ctx, v);
        break;
      case 'data':
        node.data = seq(ctx, v, key(k)).map((c, i) => decodeData(ctx, c, key(`data[${i}]`)));
        break;
    }
  }
  ctx.nodeName = saved;
  return node;
}

export interface ParsedFile {
  path: string;
  /** nodes kept (documents with name/description/author and a valid format) */
  nodes: NodeConfig[];
  /** non-fatal problems (skipped documents with a bad format ...) */
  warnings: string[];
}

/** Decode one parser file's text. Throws ParserLoadError on malformed YAML or strict-decoding errors. */
export function parseParserText(path: string, text: string): ParsedFile {
  const lc = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { schema: 'failsafe', lineCounter: lc, uniqueKeys: true, merge: false });
  const out: ParsedFile = { path, nodes: [], warnings: [] };
  const list = Array.isArray(docs) ? docs : [docs];
  let docNo = 0;
  for (const d of list) {
    docNo++;
    const errs = (d as YAML.Document).errors ?? [];
    if (errs.length > 0) {
      const e = errs[0]!;
      const pos = e.linePos?.[0];
      throw new ParserLoadError(
        `${path}: document ${docNo}: invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`,
      );
    }
    const contents = (d as YAML.Document).contents;
    if (isNullScalar(contents)) continue; // empty document (trailing ---)
    const ctx: Ctx = { file: path, doc: docNo, nodeName: '', lc, ydoc: d as YAML.Document };
    const node = decodeNode(ctx, contents, '');
    if (node.name === '' && node.description === '' && node.author === '') continue; // skipped silently (§3)
    const fmtErr = checkFormat(node.format);
    if (fmtErr !== null && fmtErr.startsWith('invalid'))
      throw new ParserLoadError(
        `${path}: document ${docNo} node "${node.name}": field "format": failed to check version: ${fmtErr}`,
      );
    if (fmtErr) {
      out.warnings.push(`${path}: document ${docNo} node "${node.name}": ${fmtErr}, node skipped`);
      continue;
    }
    validateNode(node, '');
    out.nodes.push(node);
  }
  return out;
}

export function parseParserFile(path: string): ParsedFile {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (e) {
    if (e instanceof ConfigFileTooLargeError) throw new ParserLoadError(e.message);
    throw new ParserLoadError(`${path}: cannot read parser file: ${errorMessage(e)}`);
  }
  return parseParserText(path, text);
}

function parseVersion(v: string): [number, number, number] | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function cmpVersion(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `format` must satisfy `>= 1.0, <= 3.0` (default "1.0"). Returns an error text or null. */
export function checkFormat(format: string): string | null {
  const v = parseVersion(format === '' ? '1.0' : format);
  if (!v) return `invalid format version "${format}"`;
  if (cmpVersion(v, [1, 0, 0]) < 0 || cmpVersion(v, [3, 0, 0]) > 0)
    return `format version "${format}" not supported (>= 1.0, <= 3.0)`;
  return null;
}

function nodeWhere(n: NodeConfig, path: string): string {
  return `${n.file}: document ${n.doc} node "${n.name || '(unnamed)'}"${path ? ` (${path})` : ''}${n.line ? ` (line ${n.line})` : ''}`;
}

/** Structural rules of §4 (those not needing compilation). Recurses into children. Throws ParserLoadError. */
export function validateNode(n: NodeConfig, path: string): void {
  if (n.onsuccess !== '' && n.onsuccess !== 'continue' && n.onsuccess !== 'next_stage') {
    throw new ParserLoadError(`${nodeWhere(n, path)}: field "onsuccess": '${n.onsuccess}' not continue,next_stage`);
  }
  const g = n.grok;
  const hasGrok = g !== null && (g.pattern !== '' || g.name !== '' || g.apply_on !== '' || g.expression !== '');
  if (hasGrok) {
    if (g!.pattern === '' && g!.name === '')
      throw new ParserLoadError(`${nodeWhere(n, path)}: field "grok": grok needs 'pattern' or 'name'`);
    if (g!.apply_on === '' && g!.expression === '')
      throw new ParserLoadError(`${nodeWhere(n, path)}: field "grok": grok requires 'expression' or 'apply_on'`);
  }
  const wl = n.whitelist;
  const hasWl = wl !== null && wl.ip.length + wl.cidr.length + wl.expression.length > 0;
  const hasGrokStatics = g !== null && g.statics.length > 0;
  if (!hasGrok && !hasGrokStatics && n.nodes.length === 0 && n.statics.length === 0 && !hasWl) {
    throw new ParserLoadError(`${nodeWhere(n, path)}: Node is empty`);
  }
  n.statics.forEach((s, i) => validateStatic(n, path, s, `statics[${i}]`));
  for (const [i, st] of n.stash.entries()) {
    if (st.name === '') throw new ParserLoadError(`${nodeWhere(n, path)}: field "stash[${i}].name": name must be set`);
    if (st.value === '')
      throw new ParserLoadError(`${nodeWhere(n, path)}: field "stash[${i}].value": value expression must be set`);
    if (st.key === '')
      throw new ParserLoadError(`${nodeWhere(n, path)}: field "stash[${i}].key": key expression must be set`);
    if (st.ttl === '') throw new ParserLoadError(`${nodeWhere(n, path)}: field "stash[${i}].ttl": ttl must be set`);
  }
  n.nodes.forEach((c, i) => {
    if (c.name === '') c.name = `child-${n.name}`;
    validateNode(c, `${path ? path + '.' : ''}nodes[${i}]`);
  });
}

function validateStatic(n: NodeConfig, path: string, s: StaticConfig, key: string): void {
  if (s.method !== '') {
    if (s.expression === '' && s.value === '') {
      throw new ParserLoadError(
        `${nodeWhere(n, path)}: field "${key}": when method is set, expression must be present`,
      );
    }
    return;
  }
  if (s.meta === '' && s.parsed === '' && s.target === '') {
    throw new ParserLoadError(`${nodeWhere(n, path)}: field "${key}": at least one of meta/event/target must be set`);
  }
  if (s.value === '' && s.expression === '') {
    throw new ParserLoadError(`${nodeWhere(n, path)}: field "${key}": value or expression must be set`);
  }
}
