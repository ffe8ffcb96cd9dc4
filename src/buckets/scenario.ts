// Scenario ("bucket factory") definitions and their loading from hub YAML files (scenarios.md §1, §2, §10).
// Owns: strict YAML decoding (unknown keys are errors naming file, document and key), per-type validation,
// Go durations, expression compilation (filter, groupby, distinct, cancel_on, overflow_filter, condition,
// bayesian conditions, scope.expression), data files, scenario_hash, simulation flag, deterministic order.

import { readConfigText } from '../core/config-file.js';
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { FieldReader, isMapping, unknownKey } from '../core/yaml-strict.js';
import { compileExpr } from '../expr/index.js';
import { loadDataFile } from '../expr/datafiles.js';
import { parseGoDuration } from '../core/gotime.js';
import { F_COND, F_DRAIN, F_HASBH, F_INLINEBH, F_TIMED, K_ALWAYS, K_LEAKY, K_TRIGGER } from './store.js';
import type { StoreScenario } from './store.js';
import { errorMessage, PicketError } from '../core/errors.js';

/** What the engine needs from a compiled expression. */
export interface Compiled {
  source: string;
  run(env: Record<string, unknown>): unknown;
}
export type ExprEnvName = 'evt' | 'bucket' | 'overflow_filter';
export type CompileFn = (source: string, opts: { env: ExprEnvName; where: string }) => Compiled;

export type ScenarioType = 'leaky' | 'trigger' | 'counter' | 'conditional' | 'bayesian';

export interface BayesCondition {
  expr: Compiled;
  pe: number;
  pb: number;
  guillotine: boolean;
}

export interface Scenario {
  id: number;
  name: string;
  description: string;
  file: string;
  doc: number;
  type: ScenarioType;
  filterSrc: string;
  filter: Compiled;
  groupby: Compiled | null;
  distinct: Compiled | null;
  cancelOn: Compiled | null;
  overflowFilter: Compiled | null;
  condition: Compiled | null;
  bayesPrior: number;
  bayesThreshold: number;
  bayesConditions: BayesCondition[];
  capacity: number;
  cacheSize: number;
  leakspeedNs: number;
  durationNs: number;
  blackholeNs: number;
  /** Bucket Duration (idle lifetime / counter lifetime), ns. */
  lifetimeNs: number;
  timed: boolean;
  queueMax: number;
  labels: Record<string, unknown>;
  remediation: boolean;
  scopeType: string;
  scopeExpr: Compiled | null;
  reprocess: boolean;
  hash: string;
  version: string;
  simulated: boolean;
  debug: boolean;
  references: string[];
  /** Needs per-event JS work around the store pour (distinct, cancel_on, condition, bayesian, overflow_filter). */
  complex: boolean;
  store: StoreScenario;
}

export interface ScenarioSet {
  scenarios: Scenario[];
  byName: Map<string, Scenario>;
}

export interface LoadOptions {
  dataDir: string;
  simulation?: { simulation: boolean; exclusions: string[] };
  /** Expression compiler (default: src/expr compileExpr). */
  compile?: CompileFn;
  /** Hub versions by name, used when the file hash matches (`scenario_version`), else "?". */
  versions?: (name: string, hash: string) => string | undefined;
  /** Hub state of a scenario file (installed from a hub: its hash and version; custom: empty): overrides both. */
  hubInfo?: (file: string) => { hash: string; version: string };
}

/** A scenario file that cannot be loaded (CONTENT_BAD_SCENARIO). */
export class ScenarioLoadError extends PicketError {
  constructor(message: string) {
    super('CONTENT_BAD_SCENARIO', message);
  }
}

const TOP_KEYS = new Set([
  'format',
  'author',
  'description',
  'references',
  'type',
  'name',
  'capacity',
  'leakspeed',
  'duration',
  'filter',
  'groupby',
  'distinct',
  'debug',
  'labels',
  'blackhole',
  'reprocess',
  'cache_size',
  'profiling',
  'overflow_filter',
  'condition',
  'bayesian_prior',
  'bayesian_threshold',
  'bayesian_conditions',
  'scope',
  'data',
  'cancel_on',
  'version',
  'simulated',
]);
const SCOPE_KEYS = new Set(['type', 'expression']);
const BAYES_KEYS = new Set(['condition', 'prob_given_evil', 'prob_given_benign', 'guillotine']);
const DATA_KEYS = new Set(['source_url', 'dest_file', 'type', 'strategy', 'size', 'hash', 'ttl']);

/** Go semver-ish "x.y" comparison for the `format` constraint `>= 1.0, <= 3.0`. */
function formatOk(f: string): boolean {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(f.trim());
  if (!m) return false;
  const v = Number(m[1]) * 1e6 + Number(m[2] ?? 0) * 1e3 + Number(m[3] ?? 0);
  return v >= 1e6 && v <= 3e6;
}

let defaultCompile: CompileFn = (source, opts) => compileExpr(source, opts) as unknown as Compiled;

/** Loads scenario files in deterministic order (by file path, then document order). */
export function loadScenarios(files: string[], opts: LoadOptions): ScenarioSet {
  const compile = opts.compile ?? defaultCompile;
  const sorted = [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const scenarios: Scenario[] = [];
  const byName = new Map<string, Scenario>();
  for (const file of sorted) {
    if (!file.endsWith('.yaml') && !file.endsWith('.yml')) continue;
    let text: string;
    try {
      text = readConfigText(file);
    } catch (e) {
      throw new ScenarioLoadError(`${file}: cannot read scenario file: ${errorMessage(e)}`);
    }
    const info = opts.hubInfo?.(file);
    const hash = info ? info.hash : createHash('sha256').update(text).digest('hex');
    const fileOpts = info ? { ...opts, versions: () => info.version } : opts;
    const docs = parseAllDocuments(text, { uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d, di) => {
      const where = `${file} (document ${di + 1})`;
      if (d.errors.length) throw new ScenarioLoadError(`bad yaml in ${where}: ${d.errors[0]!.message}`);
      const raw = d.toJS({ maxAliasCount: 100 }) as unknown;
      if (raw === null || raw === undefined) return; // empty document
      if (!isMapping(raw)) throw new ScenarioLoadError(`bad yaml in ${where}: a scenario must be a mapping`);
      const s = buildScenario(raw, file, di, where, hash, compile, fileOpts);
      if (!s) return;
      s.id = scenarios.length;
      scenarios.push(s);
      if (!byName.has(s.name)) byName.set(s.name, s);
    });
  }
  return { scenarios, byName };
}

/** The typed fields of one mapping of a scenario, failing with `bad yaml in WHERE: field 'KEY' must be ...`. */
function fields(raw: Record<string, unknown>, where: string): FieldReader {
  return new FieldReader(raw, (key, expected) => {
    throw new ScenarioLoadError(`bad yaml in ${where}: field '${key}' must be ${expected}`);
  });
}

function checkKeys(m: Record<string, unknown>, allowed: Set<string>, where: string, ctx: string): void {
  const k = unknownKey(m, allowed);
  if (k !== undefined) throw new ScenarioLoadError(`bad yaml in ${where}: unknown field '${ctx}${k}'`);
}

type Fail = (msg: string) => never;
type CompileField = (src: string, env: ExprEnvName, field: string) => Compiled;
interface TypeFields {
  type: string;
  capacity: number;
  leakspeedNs: number;
  durationNs: number;
  condSrc: string;
  rawConds: unknown;
  prior: number;
  threshold: number;
}
interface Timing {
  type: string;
  capacity: number;
  cacheSize: number;
  leakspeedNs: number;
  durationNs: number;
  blackholeNs: number;
}
interface StoreOf {
  lifetimeNs: number;
  timed: boolean;
  queueMax: number;
  store: StoreScenario;
}
interface ScopeOf {
  scopeType: string;
  scopeExpr: Compiled | null;
}

function buildScenario(
  raw: Record<string, unknown>,
  file: string,
  doc: number,
  where0: string,
  hash: string,
  compile: CompileFn,
  opts: LoadOptions,
): Scenario | null {
  checkKeys(raw, TOP_KEYS, where0, '');
  const name = fields(raw, where0).text('name');
  if (name === '') throw new ScenarioLoadError(`${where0}: nameless bucket (field 'name' is required)`);
  const where = `${where0} '${name}'`;
  const f = fields(raw, where);
  const format = f.text('format') || '1.0';
  if (!formatOk(format)) return null; // skipped, as CrowdSec does
  const description = f.text('description');
  const type = f.text('type');
  const capacity = f.int('capacity');
  const cacheSize = f.int('cache_size');
  const dur = (key: string): number => {
    const v = f.text(key);
    if (v === '') return 0;
    try {
      return parseGoDuration(v);
    } catch (e) {
      throw new ScenarioLoadError(`${where}: bad ${key} '${v}': ${errorMessage(e)}`);
    }
  };
  const leakspeedNs = dur('leakspeed');
  const durationNs = dur('duration');
  const blackholeNs = dur('blackhole');
  const filterSrc = f.text('filter');
  const condSrc = f.text('condition');
  const prior = Math.fround(f.num('bayesian_prior'));
  const threshold = Math.fround(f.num('bayesian_threshold'));
  const rawConds = raw.bayesian_conditions;
  if (rawConds !== undefined && rawConds !== null && !Array.isArray(rawConds)) {
    throw new ScenarioLoadError(`bad yaml in ${where}: field 'bayesian_conditions' must be a list`);
  }

  const fail: Fail = (msg) => {
    throw new ScenarioLoadError(`${where}: ${msg}`);
  };
  if (description === '') fail(`description is mandatory (field 'description')`);
  checkTypeFields({ type, capacity, leakspeedNs, durationNs, condSrc, rawConds, prior, threshold }, fail);
  if (filterSrc === '') fail(`bucket without filter directive (field 'filter')`);

  const c: CompileField = (src, env, field) => {
    try {
      return compile(src, { env, where: `${where} ${field}` });
    } catch (e) {
      throw new ScenarioLoadError(`${where}: invalid ${field} '${src}': ${errorMessage(e)}`);
    }
  };
  const opt = (key: string, env: ExprEnvName): Compiled | null => {
    const v = f.text(key);
    return v === '' ? null : c(v, env, key);
  };

  const { scopeType, scopeExpr } = readScope(raw, where, c, fail);

  const bayesConditions = readBayesConditions(rawConds, where, c, fail);

  const labels = readLabels(raw, fail);

  loadScenarioData(raw, where, opts, fail);

  let references: string[] = [];
  if (Array.isArray(raw.references)) references = raw.references.map((x) => String(x));

  const sim = opts.simulation;
  const simulated = sim ? sim.simulation !== sim.exclusions.includes(name) : false;

  const groupby = opt('groupby', 'evt');
  const distinct = opt('distinct', 'evt');
  const cancelOn = opt('cancel_on', 'evt');
  const overflowFilter = opt('overflow_filter', 'overflow_filter');
  const condition = condSrc === '' ? null : c(condSrc, 'bucket', 'condition');
  const filter = c(filterSrc, 'evt', 'filter');
  const isTrigger = type === 'trigger';
  const complex =
    !!overflowFilter || (!isTrigger && (!!distinct || !!cancelOn || type === 'conditional' || type === 'bayesian'));

  const { lifetimeNs, timed, queueMax, store } = storeScenarioOf(
    { type, capacity, cacheSize, leakspeedNs, durationNs, blackholeNs },
    !!overflowFilter,
  );

  const remediation = labels.remediation === true;
  return {
    id: -1,
    name,
    description,
    file,
    doc,
    type: type as ScenarioType,
    filterSrc,
    filter,
    groupby,
    distinct,
    cancelOn,
    overflowFilter,
    condition,
    bayesPrior: prior,
    bayesThreshold: threshold,
    bayesConditions,
    capacity,
    cacheSize,
    leakspeedNs,
    durationNs,
    blackholeNs,
    lifetimeNs,
    timed,
    queueMax,
    labels,
    remediation,
    scopeType,
    scopeExpr,
    reprocess: f.bool('reprocess'),
    hash,
    version: opts.versions?.(name, hash) ?? '?',
    simulated,
    debug: f.bool('debug'),
    references,
    complex,
    store,
  };
}

/** The fields each bucket type requires (CrowdSec's ValidateFactory), failing with its messages. */
function checkTypeFields(h: TypeFields, fail: Fail): void {
  const { type, capacity, leakspeedNs, durationNs, condSrc, rawConds, prior, threshold } = h;
  switch (type) {
    case 'leaky':
      if (capacity <= 0) fail(`bad capacity for leaky '${capacity}' (field 'capacity')`);
      if (leakspeedNs === 0) fail(`bad or empty leakspeed for leaky (field 'leakspeed')`);
      break;
    case 'counter':
      if (durationNs === 0) fail(`bad or empty duration for counter (field 'duration')`);
      if (capacity !== -1) fail(`counter bucket must have -1 capacity (field 'capacity')`);
      break;
    case 'trigger':
      if (capacity !== 0) fail(`trigger bucket must have 0 capacity (field 'capacity')`);
      break;
    case 'conditional':
      if (condSrc === '') fail(`conditional bucket must have a condition (field 'condition')`);
      if (leakspeedNs === 0) fail(`bad or empty leakspeed for conditional bucket (field 'leakspeed')`);
      break;
    case 'bayesian':
      if (!Array.isArray(rawConds) || rawConds.length === 0)
        fail(`bayesian bucket must have bayesian conditions (field 'bayesian_conditions')`);
      if (!(prior > 0 && prior <= 1))
        fail(`bayesian bucket must have a valid, non-zero prior (field 'bayesian_prior')`);
      if (!(threshold > 0 && threshold <= 1))
        fail(`bayesian bucket must have a valid, non-zero threshold (field 'bayesian_threshold')`);
      if (capacity !== -1) fail(`bayesian bucket must have capacity -1 (field 'capacity')`);
      if (leakspeedNs === 0) fail(`bayesian bucket needs a leakspeed (field 'leakspeed')`);
      break;
    default:
      fail(`unknown bucket type '${type}' (field 'type')`);
  }
}

/** scope: { type, expression } (default type Ip, no expression) */
function readScope(raw: Record<string, unknown>, where: string, c: CompileField, fail: Fail): ScopeOf {
  let scopeType = 'Ip';
  let scopeExpr: Compiled | null = null;
  if (raw.scope !== undefined && raw.scope !== null) {
    if (!isMapping(raw.scope)) fail(`field 'scope' must be a mapping`);
    const sc = raw.scope as Record<string, unknown>;
    checkKeys(sc, SCOPE_KEYS, where, 'scope.');
    const st = fields(sc, where).text('type');
    const se = fields(sc, where).text('expression');
    if (st !== '') scopeType = st;
    if (se !== '') {
      if (scopeType === 'Ip') fail(`scope.expression is not allowed with scope type Ip (field 'scope.expression')`);
      scopeExpr = c(se, 'evt', 'scope.expression');
    } else if (scopeType !== 'Ip' && scopeType !== 'Range') {
      fail(`scope type '${scopeType}' needs a scope.expression (field 'scope.expression')`);
    }
  }
  return { scopeType, scopeExpr };
}

/** bayesian_conditions: each condition compiled in the bucket environment */
function readBayesConditions(rawConds: unknown, where: string, c: CompileField, fail: Fail): BayesCondition[] {
  const bayesConditions: BayesCondition[] = [];
  if (Array.isArray(rawConds)) {
    rawConds.forEach((bc, i) => {
      if (!isMapping(bc)) fail(`bayesian_conditions[${i}] must be a mapping`);
      const m = bc as Record<string, unknown>;
      checkKeys(m, BAYES_KEYS, where, `bayesian_conditions[${i}].`);
      const src = fields(m, where).text('condition');
      if (src === '') fail(`bayesian_conditions[${i}].condition is empty`);
      bayesConditions.push({
        expr: c(src, 'bucket', `bayesian_conditions[${i}].condition`),
        pe: Math.fround(fields(m, where).num('prob_given_evil')),
        pb: Math.fround(fields(m, where).num('prob_given_benign')),
        guillotine: fields(m, where).bool('guillotine'),
      });
    });
  }
  return bayesConditions;
}

/** labels: a mapping, kept as is (empty when absent) */
function readLabels(raw: Record<string, unknown>, fail: Fail): Record<string, unknown> {
  if (raw.labels === undefined || raw.labels === null) return {};
  if (!isMapping(raw.labels)) fail(`field 'labels' must be a mapping`);
  return raw.labels as Record<string, unknown>;
}

/** data: the files the scenario's expressions read (loaded now, as CrowdSec does) */
function loadScenarioData(raw: Record<string, unknown>, where: string, opts: LoadOptions, fail: Fail): void {
  if (raw.data !== undefined && raw.data !== null) {
    if (!Array.isArray(raw.data)) fail(`field 'data' must be a list`);
    (raw.data as unknown[]).forEach((d, i) => {
      if (!isMapping(d)) fail(`data[${i}] must be a mapping`);
      const m = d as Record<string, unknown>;
      checkKeys(m, DATA_KEYS, where, `data[${i}].`);
      const dest = fields(m, where).text('dest_file');
      const dtype = fields(m, where).text('type');
      if (dest === '') return;
      const err = loadDataFile(dest, dtype, opts.dataDir);
      if (err) fail(`data[${i}]: ${err.message}`);
    });
  }
}

/** The bucket store's view of a scenario (bucket.go NewLeakyFromFactory: lifetime, queue bound, kind, flags). */
function storeScenarioOf(h: Timing, hasOverflowFilter: boolean): StoreOf {
  const { type, capacity, cacheSize, leakspeedNs, durationNs, blackholeNs } = h;
  // lifetime (bucket.go NewLeakyFromFactory)
  let lifetimeNs = 0;
  if (capacity > 0 && leakspeedNs !== 0) lifetimeNs = (capacity + 1) * leakspeedNs;
  const timed = durationNs !== 0;
  if (timed) lifetimeNs = durationNs;
  if (type === 'conditional' || type === 'bayesian') lifetimeNs = leakspeedNs;

  // queue bound
  let queueMax = capacity;
  if (cacheSize > 0) {
    if (cacheSize <= capacity) queueMax = cacheSize;
    else if (capacity === -1) queueMax = cacheSize;
  }
  if (queueMax < 0) queueMax = -1;

  let kind = K_LEAKY;
  if (type === 'trigger') kind = K_TRIGGER;
  else if (capacity === -1) kind = K_ALWAYS;
  let flags = 0;
  if (type === 'conditional') flags |= F_COND;
  if (timed) flags |= F_TIMED;
  if (!hasOverflowFilter) flags |= F_INLINEBH;
  if (blackholeNs > 0) flags |= F_HASBH;
  if (kind === K_LEAKY && type === 'leaky' && !timed) flags |= F_DRAIN;
  // Go Duration.Seconds(): whole seconds + remainder / 1e9
  const whole = Math.trunc(leakspeedNs / 1e9);
  const leakSec = whole + (leakspeedNs - whole * 1e9) / 1e9;
  const store: StoreScenario = {
    kind,
    flags,
    qmax: queueMax,
    capacity,
    limit: leakSec > 0 ? 1 / leakSec : 0,
    durUs: lifetimeNs / 1000,
    bhUs: blackholeNs / 1000,
  };
  return { lifetimeNs, timed, queueMax, store };
}

/** For tests: replace the default compiler. Returns the previous one. */
export function setDefaultCompiler(fn: CompileFn): CompileFn {
  const prev = defaultCompile;
  defaultCompile = fn;
  return prev;
}
