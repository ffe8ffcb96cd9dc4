// The log types a parser tree accepts (issue 11 §3: `--type sylog` is reported at start with the known types).
// CrowdSec's layout: s00-raw parsers select on `evt.Line.Labels.type` (syslog-logs: 'syslog'; non-syslog: any
// other type becomes evt.Parsed.program), s01-parse parsers select on `evt.Parsed.program`. Read from the
// filters' text: `== 'x'`, `in ['x', 'y']` and `startsWith 'x'` forms; a filter of another form is not
// understood, and a tree without any understood filter gives null (nothing can be said). Owns: that reading.

import type { ParserTree } from '../parser/runtime.js';

const FIELD = String.raw`evt\.(?:Line\.Labels\.type|Parsed\.program)`;
const EQ = new RegExp(`${FIELD}\\s*==\\s*['"]([^'"]+)['"]`, 'g');
const IN = new RegExp(`${FIELD}\\s+in\\s*\\[([^\\]]*)\\]`, 'g');
const PREFIX = new RegExp(`${FIELD}\\s+startsWith\\s*['"]([^'"]+)['"]`, 'g');

/** the types named by the filters of the s00/s01 parsers (`x*`: a prefix), or null when none is understood */
export function knownLogTypes(tree: ParserTree): Set<string> | null {
  const types = new Set<string>();
  for (const n of tree.nodes) {
    if (n.stage !== 's00-raw' && n.stage !== 's01-parse') continue;
    const f = n.filter?.source ?? '';
    for (const m of f.matchAll(EQ)) types.add(m[1]!);
    for (const m of f.matchAll(IN)) for (const q of m[1]!.matchAll(/['"]([^'"]+)['"]/g)) types.add(q[1]!);
    for (const m of f.matchAll(PREFIX)) types.add(`${m[1]!}*`);
  }
  return types.size > 0 ? types : null;
}

/** a warning for each configured type no parser names, listing the known ones; [] when all are known */
export function unknownTypeWarnings(tree: ParserTree, configured: Iterable<string>): string[] {
  const known = knownLogTypes(tree);
  if (known === null) return [];
  const list = [...known].sort().join(', ');
  const accepted = (t: string): boolean =>
    known.has(t) || [...known].some((k) => k.endsWith('*') && t.startsWith(k.slice(0, -1)));
  return [...new Set(configured)]
    .filter((t) => !accepted(t))
    .map(
      (t) =>
        `log type '${t}' (labels.type) is not accepted by any parser: its lines will not be parsed; known types: ${list}`,
    );
}
