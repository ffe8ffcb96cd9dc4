// Executor of Go's text/template over the node tree of parse.ts: actions and pipelines (the previous command's
// value becomes the last argument), variables with their scopes, fields / map keys / methods on GoStruct values,
// if / with / range (arrays, maps in sorted key order, integers) with else, break and continue, template calls
// and the lazy `and` / `or`. Owns the execution errors (`template: NAME:LINE:COL: executing "NAME" at <...>`)
// and the bounds: output size and template call depth.

import type { Arg, BlockNode, Command, Node, Pipe } from './parse.js';
import { location, TemplateError } from './lex.js';
import { GoStruct, goTypeOf, isMap, printValue, truth } from './values.js';

export type TemplateFunc = (...args: unknown[]) => unknown;

export interface ExecTemplate {
  name: string;
  src: string;
  defs: Map<string, Node[]>;
  funcs: Map<string, TemplateFunc>;
}

const MAX_OUTPUT = 4 * 1024 * 1024;
const MAX_DEPTH = 1000;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

interface Variable {
  name: string;
  value: unknown;
}

class State {
  private out = '';
  private vars: Variable[] = [];
  private depth = 0;
  /** position and text of the node being executed, for messages */
  private at: { pos: number; text: string } = { pos: 0, text: '' };

  constructor(private readonly t: ExecTemplate) {}

  fail(msg: string): never {
    const where = location(this.t.name, this.t.src, this.at.pos);
    throw new TemplateError(
      'NOTIFY_TEMPLATE_EXEC',
      `template: ${where}: executing "${this.t.name}" at <${this.at.text}>: ${msg}`,
    );
  }

  private mark(a: { pos: number } | Arg, text?: string): void {
    this.at = { pos: a.pos, text: text ?? nodeText(a as Arg, this.t.src) };
  }

  run(root: Node[], dot: unknown): string {
    this.vars = [{ name: '$', value: dot }];
    this.walkList(root, dot);
    return this.out;
  }

  private write(s: string): void {
    if (this.out.length + s.length > MAX_OUTPUT) this.fail(`output larger than ${MAX_OUTPUT} bytes`);
    this.out += s;
  }

  private walkList(list: Node[], dot: unknown): void {
    for (const n of list) this.walk(n, dot);
  }

  private walk(n: Node, dot: unknown): void {
    switch (n.t) {
      case 'text':
        this.write(n.text);
        return;
      case 'action': {
        const v = this.evalPipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.write(this.print(v));
        return;
      }
      case 'if':
      case 'with':
        return this.ifOrWith(n, dot);
      case 'range':
        return this.range(n, dot);
      case 'template':
        return this.template(n, dot);
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private print(v: unknown): string {
    if (typeof v === 'function') this.fail(`can't print value of type func`);
    return printValue(v);
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private ifOrWith(n: BlockNode, dot: unknown): void {
    this.scoped(() => {
      const v = this.evalPipe(n.pipe, dot);
      if (truth(v)) this.walkList(n.list, n.t === 'with' ? v : dot);
      else if (n.elseList) this.walkList(n.elseList, dot);
    });
  }

  private range(n: BlockNode, dot: unknown): void {
    this.scoped(() => {
      const v = this.evalPipe(n.pipe, dot);
      const mark = this.vars.length;
      const one = (key: unknown, elem: unknown): boolean => {
        if (n.pipe.decl.length === 1) this.setVar(n.pipe.decl[0]!, elem, n.pipe.assign);
        if (n.pipe.decl.length === 2) {
          this.setVar(n.pipe.decl[0]!, key, n.pipe.assign);
          this.setVar(n.pipe.decl[1]!, elem, n.pipe.assign);
        }
        try {
          this.walkList(n.list, elem);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = mark;
        }
        return true;
      };
      let count = 0;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          count++;
          if (!one(i, v[i])) break;
        }
      } else if (isMap(v)) {
        for (const k of Object.keys(v).sort()) {
          count++;
          if (!one(k, v[k])) break;
        }
      } else if (typeof v === 'number' && Number.isInteger(v)) {
        for (let i = 0; i < v; i++) {
          count++;
          if (!one(i, i)) break;
        }
      } else if (v !== null && v !== undefined) {
        this.mark(n.pipe);
        this.fail(`range can't iterate over ${this.print(v)}`);
      }
      if (count === 0 && n.elseList) this.walkList(n.elseList, dot);
    });
  }

  private template(n: Extract<Node, { t: 'template' }>, dot: unknown): void {
    const body = this.t.defs.get(n.name);
    this.mark(n, `template "${n.name}"`);
    if (!body) this.fail(`no such template "${n.name}"`);
    const newDot = n.pipe ? this.evalPipe(n.pipe, dot) : null;
    if (++this.depth > MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
    const saved = this.vars;
    this.vars = [{ name: '$', value: newDot }];
    try {
      this.walkList(body, newDot);
    } finally {
      this.vars = saved;
      this.depth--;
    }
  }

  private setVar(name: string, value: unknown, assign: boolean): void {
    if (!assign) {
      this.vars.push({ name, value });
      return;
    }
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private getVar(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.fail(`undefined variable: ${name}`);
  }

  evalPipe(pipe: Pipe, dot: unknown): unknown {
    let v: unknown = undefined;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      v = this.evalCommand(cmd, dot, hasFinal, v);
      hasFinal = true;
    }
    for (const name of pipe.decl) this.setVar(name, v, pipe.assign);
    return v;
  }

  private evalCommand(cmd: Command, dot: unknown, hasFinal: boolean, final: unknown): unknown {
    const first = cmd.args[0]!;
    const rest = cmd.args.slice(1);
    this.mark(first);
    switch (first.t) {
      case 'field':
        return this.fieldChain(dot, dot, first.idents, rest, hasFinal, final);
      case 'var': {
        const v = this.getVar(first.name);
        if (first.idents.length === 0) {
          this.noArgs(rest, hasFinal, first.name);
          return v;
        }
        return this.fieldChain(dot, v, first.idents, rest, hasFinal, final);
      }
      case 'chain': {
        const base = this.evalArg(first.node, dot);
        return this.fieldChain(dot, base, first.idents, rest, hasFinal, final);
      }
      case 'ident':
        return this.call(first, rest, dot, hasFinal, final);
      case 'pipe':
        this.noArgs(rest, hasFinal, 'parenthesized pipeline');
        return this.evalPipe(first.pipe, dot);
      default:
        this.noArgs(rest, hasFinal, this.t.src.slice(first.pos, first.pos + 20).split(/\s/)[0]!);
        return this.evalArg(first, dot);
    }
  }

  private noArgs(rest: Arg[], hasFinal: boolean, what: string): void {
    if (rest.length > 0 || hasFinal) this.fail(`can't give argument to non-function ${what}`);
  }

  evalArg(a: Arg, dot: unknown): unknown {
    this.mark(a);
    switch (a.t) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
        return a.value;
      case 'number':
        return a.value;
      case 'string':
        return a.value;
      case 'field':
        return this.fieldChain(dot, dot, a.idents, [], false, undefined);
      case 'var': {
        const v = this.getVar(a.name);
        return a.idents.length === 0 ? v : this.fieldChain(dot, v, a.idents, [], false, undefined);
      }
      case 'chain':
        return this.fieldChain(dot, this.evalArg(a.node, dot), a.idents, [], false, undefined);
      case 'pipe':
        return this.evalPipe(a.pipe, dot);
      case 'ident':
        return this.call(a, [], dot, false, undefined);
    }
  }

  private fieldChain(
    dot: unknown,
    recv: unknown,
    idents: string[],
    args: Arg[],
    hasFinal: boolean,
    final: unknown,
  ): unknown {
    let v = recv;
    for (let i = 0; i < idents.length - 1; i++) v = this.field(dot, v, idents[i]!, [], false, undefined);
    return this.field(dot, v, idents[idents.length - 1]!, args, hasFinal, final);
  }

  private field(dot: unknown, recv: unknown, name: string, args: Arg[], hasFinal: boolean, final: unknown): unknown {
    if (recv === null || recv === undefined)
      this.fail(`nil pointer evaluating ${goTypeOf(recv) === '<nil>' ? 'interface {}' : goTypeOf(recv)}.${name}`);
    if (recv instanceof GoStruct || (typeof recv === 'object' && !isMap(recv) && !Array.isArray(recv))) {
      const o = recv as unknown as Record<string, unknown>;
      const m = o[name];
      if (/^[A-Z]/.test(name) && typeof m === 'function' && !Object.prototype.hasOwnProperty.call(o, name)) {
        const argv = args.map((a) => this.evalArg(a, dot));
        if (hasFinal) argv.push(final);
        return this.invoke(name, () => (m as TemplateFunc).apply(recv, argv));
      }
      if (/^[A-Z]/.test(name) && Object.prototype.hasOwnProperty.call(o, name)) {
        if (args.length > 0 || hasFinal) this.fail(`${name} has arguments but cannot be invoked as function`);
        return m;
      }
      return this.fail(`can't evaluate field ${name} in type ${goTypeOf(recv)}`);
    }
    if (isMap(recv)) {
      if (args.length > 0 || hasFinal) this.fail(`${name} is not a method but has arguments`);
      return Object.prototype.hasOwnProperty.call(recv, name) ? recv[name] : undefined;
    }
    return this.fail(`can't evaluate field ${name} in type ${goTypeOf(recv)}`);
  }

  private invoke(name: string, fn: () => unknown): unknown {
    try {
      return fn();
    } catch (e) {
      if (e instanceof TemplateError || e === BREAK || e === CONTINUE) throw e;
      return this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private call(
    id: { pos: number; name: string },
    args: Arg[],
    dot: unknown,
    hasFinal: boolean,
    final: unknown,
  ): unknown {
    const name = id.name;
    if (name === 'and' || name === 'or') return this.andOr(name, args, dot, hasFinal, final);
    const fn = this.t.funcs.get(name);
    if (!fn) this.fail(`function "${name}" not defined`);
    const argv = args.map((a) => this.evalArg(a, dot));
    if (hasFinal) argv.push(final);
    this.mark(id, name);
    return this.invoke(name, () => fn(...argv));
  }

  /** `and` / `or`: evaluate left to right, stop at the first falsy / truthy argument, return it. */
  private andOr(name: 'and' | 'or', args: Arg[], dot: unknown, hasFinal: boolean, final: unknown): unknown {
    const n = args.length + (hasFinal ? 1 : 0);
    if (n < 1) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let v: unknown;
    for (let i = 0; i < n; i++) {
      v = i < args.length ? this.evalArg(args[i]!, dot) : final;
      if (truth(v) !== (name === 'and')) return v;
    }
    return v;
  }
}

/** A node as Go's errors print it (`.Source.IP`, `$a.Value`, `index`, ...). */
function nodeText(a: Arg, src: string): string {
  switch (a.t) {
    case 'field':
      return '.' + a.idents.join('.');
    case 'var':
      return [a.name, ...a.idents].join('.');
    case 'chain':
      return `(${nodeText(a.node, src)}).${a.idents.join('.')}`;
    case 'ident':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'string':
      return JSON.stringify(a.value);
    case 'bool':
      return String(a.value);
    case 'number':
      return a.text;
    default:
      return src
        .slice(a.pos, a.pos + 40)
        .split('}}')[0]!
        .trim();
  }
}

/** Executes template `t` (its root list) with `dot` as data. */
export function execute(t: ExecTemplate, root: Node[], dot: unknown): string {
  return new State(t).run(root, dot);
}
