// Loading detection content for the agent: parser tree, postoverflow tree and scenario set, from a hub-layout
// folder (`--content DIR`, at any depth: parsers/<stage>/**, postoverflows/<stage>/**, scenarios/**,
// patterns/, data/) or Picket's embedded defaults. Owns: the enrich context (time machine vs live, the year
// given to year-less dates), grok libraries (builtins + the content's patterns/), and load errors that name
// the content folder and file.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultContent, discoverContent, type ContentSet } from '../config/content.js';
import { PatternLibrary } from '../grok/index.js';
import { makeEnrichContext } from '../parser/enrich/context.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';
import { loadParserTree } from '../parser/load.js';
import type { ParserTree } from '../parser/runtime.js';
import {
  compileContext,
  loadScenarios,
  type AlertContext,
  type ContextSpec,
  type ScenarioSet,
} from '../buckets/index.js';
import { errorMessage, PicketError } from '../core/errors.js';
import { hubVersions } from '../hub/versions.js';

export interface ContentOptions {
  /** hub-layout folder; null/undefined = Picket's defaults */
  contentDir?: string | null;
  /** time-machine (replay) or live */
  timeMachine: boolean;
  /** year for year-less dates (default: current UTC year) */
  year?: number | null;
  /** simulation.yaml (the global switch XOR exclusions): its scenarios' alerts are marked simulated */
  simulation?: SimulationSwitch | null;
  /** `data:` files folder instead of the content's data/ (CrowdSec's data_dir for an /etc/crowdsec layout) */
  dataDir?: string | null;
  /** hub_dir: scenarios linked from it carry their hub hash and version into alerts (src/hub/versions.ts) */
  hubDir?: string | null;
  /** alert context (console/context.yaml + hub contexts items, buckets/context.ts), compiled here */
  context?: ContextSpec | null;
  /** reverse DNS settings (rdns.ts); null/undefined: reverse_dns yields nothing */
  rdns?: Partial<RdnsOptions> | null;
}

/** simulation.yaml's content, as plain data (it crosses to worker threads) */
export interface SimulationSwitch {
  simulation: boolean;
  exclusions: string[];
}

export interface LoadedContent {
  /** where the content came from (for messages) */
  origin: string;
  set: ContentSet;
  parsers: ParserTree;
  postoverflows: ParserTree;
  scenarios: ScenarioSet;
  /** the alert context, compiled (undefined: none) */
  context?: AlertContext;
  warnings: string[];
  /** reverse DNS is on and a postoverflow calls reverse_dns: the agent resolves an overflow's source first */
  rdnsOverflows: boolean;
  /** reads the IPv4 GeoIP/AS data now when a parser uses it (live agents: no first-line stall of ~1-3 s) */
  warmGeo(): void;
}

/** A content folder that cannot be loaded (CONTENT_LOAD). */
export class ContentError extends PicketError {
  constructor(message: string) {
    super('CONTENT_LOAD', message);
  }
}

export function resolveContentSet(contentDir?: string | null): { set: ContentSet; origin: string } {
  if (contentDir === null || contentDir === undefined || contentDir === '') {
    const set = defaultContent();
    return { set, origin: 'Picket defaults' };
  }
  const dir = resolve(contentDir);
  if (!existsSync(dir)) throw new ContentError(`content folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new ContentError(`content ${dir} is not a folder`);
  const set = discoverContent(dir);
  if (set.parsers.length === 0 && set.scenarios.length === 0) {
    throw new ContentError(`content folder ${dir} has no parsers/<stage>/*.yaml nor scenarios/*.yaml`);
  }
  return { set, origin: dir };
}

/** Loads parsers, postoverflows and scenarios; any load error becomes a ContentError naming the file. */
export function loadContent(o: ContentOptions): LoadedContent {
  const { set, origin } = resolveContentSet(o.contentDir);
  if (o.dataDir) set.dataDir = resolve(o.dataDir);
  const hubInfo = o.hubDir ? hubVersions(o.hubDir) : undefined;
  const enrich = makeEnrichContext({
    dataDir: set.dataDir,
    year: o.year ?? new Date().getUTCFullYear(),
    timeMachine: o.timeMachine,
    shippedGeo: true,
    rdns: o.rdns,
  });
  const lib = (): PatternLibrary => {
    const l = PatternLibrary.withBuiltins();
    if (set.patternsDir) l.loadDirectory(set.patternsDir);
    return l;
  };
  const wrap = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      const msg = errorMessage(e);
      throw new ContentError(`loading ${what} from ${origin}: ${msg}`);
    }
  };
  const parsers = wrap('parsers', () => loadParserTree(set.parsers, { patterns: lib(), dataDir: set.dataDir, enrich }));
  // (no postoverflows, the usual case: no second copy of the pattern files)
  const postoverflows = wrap('postoverflows', () =>
    loadParserTree(set.postoverflows, {
      patterns: set.postoverflows.length ? lib() : PatternLibrary.withBuiltins(),
      dataDir: set.dataDir,
      enrich,
    }),
  );
  const scenarios = wrap('scenarios', () =>
    loadScenarios(set.scenarios, {
      dataDir: set.dataDir,
      hubInfo,
      simulation: o.simulation ?? undefined,
    }),
  );
  const warnings = [...parsers.warnings, ...postoverflows.warnings];
  // context errors already name their file, line and key
  const context = o.context ? compileContext(o.context) : undefined;
  const rdnsOverflows = enrich.rdns && set.postoverflows.some((f) => callsMethod(f.path, 'reverse_dns'));
  const geoParsers = set.parsers.some((f) => callsMethod(f.path, 'GeoIp(City|ASN)'));
  const warmGeo = (): void => {
    // one IPv4 lookup per side opens the IPv4 City database and compiles the AS ranges (IPv6 City stays lazy)
    if (!geoParsers || !enrich.geo) return;
    enrich.geo.cityEnrich('192.0.2.1');
    enrich.geo.asnEnrich('192.0.2.1');
  };
  return {
    origin,
    set,
    parsers,
    postoverflows,
    scenarios,
    ...(context ? { context } : {}),
    warnings,
    rdnsOverflows,
    warmGeo,
  };
}

/** A parser file with a `method: M` static (read again as text: the files are small and few). */
function callsMethod(path: string, method: string): boolean {
  try {
    return new RegExp(`\\bmethod:\\s*["']?(${method})\\b`).test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}
