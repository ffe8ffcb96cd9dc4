// `picket lapi context add|status|delete`, as `cscli lapi context` (1.5+) has them: add --key K --value EXPR
// (values repeatable or comma-separated; each expression is compiled first), delete --key K / --value EXPR,
// status (the merged context: the hub's contexts items and the file). Edits the context file (--file, else the
// config's console_context_path, else config_dir/console/context.yaml, else /etc/picket/console/context.yaml),
// keeping its comments. Owns: these sub-commands; loading and compiling are src/buckets/context.ts.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { CliError, parseOptions, type CliIO } from './command.js';
import { contextFileOf, contextSpecOf } from './context-file.js';
import { resolveConfig, ConfigError, type PicketConfig } from '../config/config.js';
import { readConfigText } from '../core/config-file.js';
import { compileExpr } from '../expr/index.js';
import { errorMessage } from '../core/errors.js';
import { outputFormat } from './output.js';

export const LAPI_CONTEXT_HELP = `Usage: picket lapi context add --key KEY --value EXPR [--value EXPR ...]
       picket lapi context delete [--key KEY ...] [--value EXPR ...]
       picket lapi context status [-o human|json]

The alert context: each KEY lists expressions run on every event of an alert; their distinct values go to
the alert's meta (and to notifications, and to signals when online_client.share_context is true).
Options:
  --key, -k KEY    the meta key (add: one; delete: repeatable or comma-separated)
  --value EXPR     an expression on evt (repeatable or comma-separated), e.g. evt.Meta.source_ip
  --file FILE      context file (default: the config's console_context_path, else config_dir/console/context.yaml)
  --config FILE    config file (default /etc/picket/config.yaml when it exists)
  -o FORMAT        status output: human (YAML, as cscli) or json
Changes apply when picket run starts next.`;

const OPTIONS = {
  key: { type: 'string', short: 'k', multiple: true },
  value: { type: 'string', multiple: true },
  file: { type: 'string' },
  config: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

/** cscli's StringSlice flags: repeatable and comma-separated */
function slice(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return (v as string[]).flatMap((s) => s.split(',')).filter((s) => s !== '');
}

interface ContextFile {
  path: string;
  doc: YAML.Document;
}

function readFile(file: string): ContextFile {
  let text = '';
  if (fs.existsSync(file)) {
    try {
      text = readConfigText(file);
    } catch (e) {
      throw new CliError(`${file}: ${errorMessage(e)}`, 1);
    }
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new CliError(`${file}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 1);
  if (
    doc.contents !== null &&
    !YAML.isMap(doc.contents) &&
    !(YAML.isScalar(doc.contents) && doc.contents.value === null)
  )
    throw new CliError(`${file}: expected a mapping of keys to lists of expressions`, 1);
  if (!YAML.isMap(doc.contents)) doc.contents = doc.createNode({}) as YAML.ParsedNode;
  return { path: file, doc };
}

function writeFile(f: ContextFile): void {
  try {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    fs.writeFileSync(f.path, f.doc.toString());
  } catch (e) {
    throw new CliError(`cannot write ${f.path}: ${errorMessage(e)}`, 1);
  }
}

function valuesOf(f: ContextFile, key: string): string[] {
  const v = f.doc.get(key);
  if (YAML.isSeq(v)) return v.items.map((it) => String(YAML.isScalar(it) ? it.value : it));
  if (typeof v === 'string') return [v];
  return [];
}

function add(f: ContextFile, keys: string[], values: string[], io: CliIO): void {
  if (keys.length !== 1) throw new CliError('lapi context add: give one --key');
  if (values.length === 0) throw new CliError('lapi context add: give at least one --value EXPR');
  const key = keys[0]!;
  for (const v of values) {
    try {
      compileExpr(v, { env: 'evt', where: `context key ${key}` });
    } catch (e) {
      throw new CliError(`invalid context configuration: compilation of '${v}' failed: ${errorMessage(e)}`, 1);
    }
  }
  const m = f.doc.contents as YAML.YAMLMap;
  if (!m.has(key)) io.out(`key '${key}' added`);
  const data = valuesOf(f, key);
  for (const v of values) {
    if (data.includes(v)) continue;
    data.push(v);
    io.out(`value '${v}' added to key '${key}'`);
  }
  f.doc.set(key, data);
}

function remove(f: ContextFile, keys: string[], values: string[], io: CliIO): void {
  if (keys.length === 0 && values.length === 0)
    throw new CliError('please provide at least a key or a value to delete');
  const m = f.doc.contents as YAML.YAMLMap;
  for (const k of keys) {
    if (m.has(k)) {
      m.delete(k);
      io.out(`key '${k}' has been removed`);
    } else io.err(`warning: key '${k}' doesn't exist`);
  }
  for (const v of values) {
    let found = false;
    for (const p of [...m.items]) {
      const k = String(YAML.isScalar(p.key) ? p.key.value : p.key);
      const list = valuesOf(f, k);
      if (!list.includes(v)) continue;
      found = true;
      const rest = list.filter((x) => x !== v);
      io.out(`value '${v}' has been removed from key '${k}'`);
      if (rest.length === 0) m.delete(k);
      else f.doc.set(k, rest);
    }
    if (!found) io.err(`warning: value '${v}' not found`);
  }
}

function status(config: PicketConfig, file: string | undefined, fmt: string, io: CliIO): void {
  const spec = contextSpecOf(config, file);
  const obj: Record<string, string[]> = {};
  for (const { key, exprs } of spec?.keys ?? []) obj[key] = exprs.map((e) => e.expr);
  if (fmt === 'json') {
    io.out(JSON.stringify(obj, null, 2));
    return;
  }
  if (Object.keys(obj).length === 0) {
    io.out("No context found on this agent. You can use 'picket lapi context add' to add context to your alerts.");
    return;
  }
  io.out(YAML.stringify(obj).trimEnd());
}

export function runLapiContext(argv: string[], io: CliIO): number {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseOptions('lapi context', rest, OPTIONS, true);
  if (values.help) {
    io.out(LAPI_CONTEXT_HELP);
    return 0;
  }
  if (positionals.length) throw new CliError(`lapi context: unexpected argument '${positionals[0]}'`);
  let config: PicketConfig;
  try {
    config = resolveConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
  const file = values.file;
  if (sub === 'status') {
    status(config, file, outputFormat(values.output, ['human', 'json']), io);
    return 0;
  }
  if (sub !== 'add' && sub !== 'delete')
    throw new CliError(
      sub === undefined
        ? 'expected a sub-command: add, delete or status (see picket lapi context --help)'
        : `unknown sub-command '${sub}': expected add, delete or status`,
    );
  const f = readFile(contextFileOf(config, file).file);
  if (sub === 'add') add(f, slice(values.key), slice(values.value), io);
  else remove(f, slice(values.key), slice(values.value), io);
  writeFile(f);
  io.out(`${f.path} updated: restart picket run for the change to take effect`);
  return 0;
}
