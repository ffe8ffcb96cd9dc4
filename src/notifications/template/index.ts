// Go text/template for notification formats: `compileTemplate(name, source, funcs)` parses once (unknown
// functions are parse errors, as in Go), `render(data)` executes. The function map is Go's builtins, then
// Sprig's (sprig.TxtFuncMap), then the caller's (CrowdSec adds GetMeta, Hostname, CrowdsecCTI, HTMLEscape).

import { parseTemplate, type Arg, type Node, type Pipe } from './parse.js';
import { execute, type ExecTemplate, type TemplateFunc } from './exec.js';
import { location, TemplateError } from './lex.js';
import { BUILTINS } from './builtins.js';
import { SPRIG_STRINGS } from './sprig-strings.js';
import { SPRIG_MISC } from './sprig-misc.js';

export { TemplateError } from './lex.js';
export { GoStruct, goJson } from './values.js';
export type { TemplateFunc } from './exec.js';

export interface CompiledTemplate {
  readonly name: string;
  render(data: unknown): string;
}

function checkFuncs(t: ExecTemplate, nodes: Node[]): void {
  const args = (a: Arg): void => {
    if (a.t === 'ident' && a.name !== 'and' && a.name !== 'or' && !t.funcs.has(a.name)) {
      throw new TemplateError(
        'NOTIFY_TEMPLATE_PARSE',
        `template: ${location(t.name, t.src, a.pos)}: function "${a.name}" not defined`,
      );
    }
    if (a.t === 'pipe') pipe(a.pipe);
    if (a.t === 'chain') args(a.node);
  };
  const pipe = (p: Pipe | null): void => {
    p?.cmds.forEach((c) => c.args.forEach(args));
  };
  for (const n of nodes) {
    if (n.t === 'action' || n.t === 'template') pipe(n.pipe);
    if (n.t === 'if' || n.t === 'with' || n.t === 'range') {
      pipe(n.pipe);
      checkFuncs(t, n.list);
      if (n.elseList) checkFuncs(t, n.elseList);
    }
  }
}

/** Parses `source` (errors name `name`, line and column); `funcs` are added to builtins and Sprig. */
export function compileTemplate(
  name: string,
  source: string,
  funcs: Record<string, TemplateFunc> = {},
): CompiledTemplate {
  const parsed = parseTemplate(name, source);
  const all = new Map<string, TemplateFunc>();
  for (const table of [BUILTINS, SPRIG_STRINGS, SPRIG_MISC, funcs])
    for (const [k, f] of Object.entries(table)) all.set(k, f);
  const t: ExecTemplate = { name, src: source, defs: parsed.defs, funcs: all };
  checkFuncs(t, parsed.root);
  for (const body of parsed.defs.values()) checkFuncs(t, body);
  return { name, render: (data: unknown) => execute(t, parsed.root, data) };
}
