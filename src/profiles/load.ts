// profiles.yaml in CrowdSec's format (scenarios.md §11, `pkg/csconfig/profiles.go`): YAML documents, each one
// profile (`name`, `debug`, `filters`, `decisions`, `duration_expr`, `notifications`, `on_success`, `on_failure`,
// `on_error`). Owns parsing and validation into typed `Profile` values with their expressions compiled once
// (env `Alert`), and `ProfileError`, whose message names the file, the profile (name and document) and the field.

import { readConfigText } from '../core/config-file.js';
import { describeValue as describe, yamlBool } from '../core/yaml-strict.js';
import YAML from 'yaml';
import { compileExpr, ExprCompileError, type CompiledExpr } from '../expr/index.js';
import { parseWireDuration } from '../api/wire-time.js';
import { normaliseScope } from '../api/scope.js';
import { PicketError, errorMessage } from '../core/errors.js';

export type OnSuccess = 'break' | 'continue';
export type OnFailure = 'break' | 'continue' | 'apply';
export type OnError = 'apply' | 'continue' | 'break' | 'ignore';

/** One entry of a profile's `decisions` list. */
export interface ProfileDecision {
  type: string;
  /** the `duration` text as written (null when absent) */
  duration: string | null;
  /** `duration` in milliseconds (null when absent) */
  durationMs: number | null;
  /** normalised scope (Ip, Range, AS, Country; others verbatim); null = the alert source's scope */
  scope: string | null;
  /** appended to `crowdsec/`; null = plain `crowdsec` */
  origin: string | null;
  /** read for compatibility; as in CrowdSec the stored decision takes the alert's simulated flag */
  simulated: boolean;
}

export interface Profile {
  name: string;
  /** 1-based YAML document number in its file */
  document: number;
  /** file the profile came from (for messages) */
  where: string;
  debug: boolean;
  filters: CompiledExpr[];
  decisions: ProfileDecision[];
  durationExpr: CompiledExpr | null;
  notifications: string[];
  onSuccess: OnSuccess | null;
  /** accepted for compatibility; has no effect (as in CrowdSec) */
  onFailure: OnFailure | null;
  /** null: an evaluation error fails the whole alert POST */
  onError: OnError | null;
}

/** A profiles.yaml that cannot be used, or a profile failing on an alert (code CONFIG_BAD_PROFILE). */
export class ProfileError extends PicketError {
  constructor(
    readonly where: string,
    readonly profile: string,
    readonly field: string | null,
    reason: string,
  ) {
    super('CONFIG_BAD_PROFILE', `${where}: ${profile}${field ? `: field "${field}"` : ''}: ${reason}`);
  }
}

/** `profile "name" (document N)`, or `document N` while the name is unknown. */
export function profileLabel(name: string | null, document: number): string {
  return name ? `profile "${name}" (document ${document})` : `document ${document}`;
}

const PROFILE_KEYS = new Set([
  'name',
  'debug',
  'filters',
  'decisions',
  'duration_expr',
  'notifications',
  'on_success',
  'on_failure',
  'on_error',
]);
/** models.Decision's YAML names; CrowdSec accepts them all in a profile but only uses the first five. */
const DECISION_KEYS = new Set([
  'type',
  'duration',
  'scope',
  'origin',
  'simulated',
  'value',
  'scenario',
  'id',
  'uuid',
  'until',
]);
const ON_SUCCESS = new Set(['break', 'continue']);
const ON_FAILURE = new Set(['break', 'continue', 'apply']);
const ON_ERROR = new Set(['apply', 'continue', 'break', 'ignore']);

/** YAML 1.1 booleans as Go's YAML decoders accept them into a bool field (core/yaml-strict.ts). */
export { yamlBool };

/** Reads one YAML document of a profiles file, turning problems into ProfileErrors with line numbers. */
class DocReader {
  name: string | null = null;

  constructor(
    readonly where: string,
    readonly document: number,
    private readonly doc: YAML.Document.Parsed,
    private readonly lines: YAML.LineCounter,
  ) {}

  fail(field: string | null, reason: string, path?: (string | number)[]): never {
    const line = this.lineOf(path);
    throw new ProfileError(
      this.where,
      profileLabel(this.name, this.document),
      field,
      line ? `${reason} (line ${line})` : reason,
    );
  }

  private lineOf(path?: (string | number)[]): number {
    let node: unknown = path ? this.doc.getIn(path, true) : this.doc.contents;
    if (!YAML.isNode(node)) node = this.doc.contents;
    const range = YAML.isNode(node) ? node.range : undefined;
    return range ? this.lines.linePos(range[0]).line : 0;
  }

  string(v: unknown, field: string, path: (string | number)[]): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(field, `expected a string, got ${describe(v)}`, path);
  }

  optString(v: unknown, field: string, path: (string | number)[]): string | null {
    return v === undefined || v === null ? null : this.string(v, field, path);
  }

  bool(v: unknown, field: string, path: (string | number)[]): boolean {
    if (v === undefined || v === null) return false;
    const b = yamlBool(v);
    return b === null ? this.fail(field, `expected a boolean, got ${describe(v)}`, path) : b;
  }

  stringList(v: unknown, field: string): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(field, `expected a list of strings, got ${describe(v)}`, [field]);
    return v.map((x, i) => this.string(x, `${field}[${i}]`, [field, i]));
  }

  choice<C extends string>(v: unknown, field: string, allowed: Set<string>): C | null {
    const s = this.optString(v, field, [field]);
    if (s === null || s === '') return null;
    if (!allowed.has(s)) return this.fail(field, `invalid value "${s}" (expected ${[...allowed].join(', ')})`, [field]);
    return s as C;
  }

  compile(source: string, field: string, path: (string | number)[]): CompiledExpr {
    try {
      return compileExpr(source, {
        env: 'profile',
        where: `${this.where}: ${profileLabel(this.name, this.document)}: ${field}`,
      });
    } catch (e) {
      const reason =
        e instanceof ExprCompileError ? `${e.reason} in expression ${JSON.stringify(source)}` : errorMessage(e);
      return this.fail(field, `cannot compile: ${reason}`, path);
    }
  }
}

function readDecision(r: DocReader, v: unknown, i: number, hasExpr: boolean): ProfileDecision {
  const field = `decisions[${i}]`;
  const path = ['decisions', i];
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return r.fail(field, `expected a mapping, got ${describe(v)}`, path);
  const d = v as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!DECISION_KEYS.has(k)) r.fail(`${field}.${k}`, 'unknown field', [...path, k]);
  const type = r.optString(d.type, `${field}.type`, [...path, 'type']);
  if (!type) return r.fail(`${field}.type`, 'missing decision type (e.g. ban)', path);
  const duration = r.optString(d.duration, `${field}.duration`, [...path, 'duration']);
  let durationMs: number | null = null;
  if (duration !== null) {
    durationMs = parseWireDuration(duration);
    if (durationMs === null)
      return r.fail(`${field}.duration`, `invalid duration "${duration}" (Go duration such as 4h, or <n>d)`, [
        ...path,
        'duration',
      ]);
  } else if (!hasExpr) {
    return r.fail(`${field}.duration`, 'missing duration (and no duration_expr)', path);
  }
  const scope = r.optString(d.scope, `${field}.scope`, [...path, 'scope']);
  const origin = r.optString(d.origin, `${field}.origin`, [...path, 'origin']);
  return {
    type,
    duration,
    durationMs,
    scope: scope ? normaliseScope(scope) : null,
    origin: origin === null ? null : origin,
    simulated: r.bool(d.simulated, `${field}.simulated`, [...path, 'simulated']),
  };
}

function readProfile(r: DocReader, v: Record<string, unknown>): Profile {
  if (v.name !== undefined && v.name !== null) r.name = r.string(v.name, 'name', ['name']);
  for (const k of Object.keys(v)) if (!PROFILE_KEYS.has(k)) r.fail(k, 'unknown field', [k]);
  const filterSources = r.stringList(v.filters, 'filters');
  const filters = filterSources.map((src, i) => r.compile(src, `filters[${i}]`, ['filters', i]));
  const exprSource = r.optString(v.duration_expr, 'duration_expr', ['duration_expr']);
  const durationExpr = exprSource ? r.compile(exprSource, 'duration_expr', ['duration_expr']) : null;
  let decisions: ProfileDecision[] = [];
  if (v.decisions !== undefined && v.decisions !== null) {
    if (!Array.isArray(v.decisions))
      r.fail('decisions', `expected a list, got ${describe(v.decisions)}`, ['decisions']);
    decisions = (v.decisions as unknown[]).map((d, i) => readDecision(r, d, i, durationExpr !== null));
  }
  return {
    name: r.name ?? '',
    document: r.document,
    where: r.where,
    debug: r.bool(v.debug, 'debug', ['debug']),
    filters,
    decisions,
    durationExpr,
    notifications: r.stringList(v.notifications, 'notifications'),
    onSuccess: r.choice<OnSuccess>(v.on_success, 'on_success', ON_SUCCESS),
    onFailure: r.choice<OnFailure>(v.on_failure, 'on_failure', ON_FAILURE),
    onError: r.choice<OnError>(v.on_error, 'on_error', ON_ERROR),
  };
}

/** Parses a profiles.yaml text; `where` (the file path) prefixes every error message. */
export function parseProfiles(yamlText: string, where: string): Profile[] {
  const lines = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(yamlText, { lineCounter: lines, uniqueKeys: true, merge: true });
  const out: Profile[] = [];
  docs.forEach((doc, i) => {
    const r = new DocReader(where, i + 1, doc, lines);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const at = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
      const reason = e.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
      const name = YAML.isMap(doc.contents) ? doc.get('name') : null; // often still readable
      throw new ProfileError(
        where,
        profileLabel(typeof name === 'string' ? name : null, i + 1),
        null,
        `malformed YAML: ${reason}${at}`,
      );
    }
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) return; // empty document (e.g. a trailing `---`)
    if (typeof v !== 'object' || Array.isArray(v)) r.fail(null, `expected a mapping, got ${describe(v)}`);
    out.push(readProfile(r, v as Record<string, unknown>));
  });
  if (out.length === 0) throw new ProfileError(where, 'document 1', null, 'no profile defined (zero profiles loaded)');
  return out;
}

export function loadProfilesFile(path: string): Profile[] {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (e) {
    throw new ProfileError(path, 'file', null, `cannot read: ${errorMessage(e)}`);
  }
  return parseProfiles(text, path);
}
