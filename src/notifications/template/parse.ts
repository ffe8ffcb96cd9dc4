// Parser of Go's text/template: tokens (lex.ts) -> the node tree (lists, text, actions, if / with / range with
// else and `else if` / `else with` chains, break / continue, template calls, define and block) plus the
// named templates a source defines. Owns the node shapes and the parse errors (template name, line, column).

import { lex, location, TemplateError, type Token } from './lex.js';

export type Arg =
  | { t: 'field'; pos: number; idents: string[] }
  | { t: 'var'; pos: number; name: string; idents: string[] }
  | { t: 'chain'; pos: number; node: Arg; idents: string[] }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'number'; pos: number; value: number; text: string }
  | { t: 'string'; pos: number; value: string }
  | { t: 'pipe'; pos: number; pipe: Pipe };

export interface Command {
  pos: number;
  args: Arg[];
}
export interface Pipe {
  pos: number;
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pos: number; pipe: Pipe }
  | BlockNode
  | { t: 'template'; pos: number; name: string; pipe: Pipe | null }
  | { t: 'break' | 'continue'; pos: number };

export interface BlockNode {
  t: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
}

export interface ParsedSet {
  root: Node[];
  defs: Map<string, Node[]>;
}

class Parser {
  private i = 0;
  private readonly toks: Token[];
  private rangeDepth = 0;
  private vars: string[][] = [['$']];
  readonly defs = new Map<string, Node[]>();

  constructor(
    private readonly name: string,
    private readonly src: string,
  ) {
    this.toks = lex(name, src);
  }

  fail(pos: number, msg: string): never {
    throw new TemplateError('NOTIFY_TEMPLATE_PARSE', `template: ${location(this.name, this.src, pos)}: ${msg}`);
  }

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[Math.min(this.i++, this.toks.length - 1)]!;
  }

  private expect(kind: Token['kind'], ctx: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t.pos, `unexpected ${describe(t)} in ${ctx}`);
    return t;
  }

  parseRoot(): Node[] {
    const { list, stop } = this.list(true);
    if (stop !== null) this.fail(stop.pos, `unexpected {{${stop.val}}}`);
    return list;
  }

  /** Items until EOF (top) or `{{end}}` / `{{else ...}}` (returned as `stop`, positioned after the keyword). */
  private list(top: boolean): { list: Node[]; stop: Token | null } {
    const out: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') {
        if (!top) this.fail(t.pos, 'unexpected EOF');
        return { list: out, stop: null };
      }
      if (t.kind === 'text') {
        out.push({ t: 'text', text: t.val });
        continue;
      }
      // t is `open`
      const k = this.peek();
      if (k.kind === 'keyword' && k.val !== 'nil') {
        if (k.val === 'end' || k.val === 'else') {
          this.i++;
          if (top) this.fail(k.pos, `unexpected {{${k.val}}}`);
          return { list: out, stop: k };
        }
        const n = this.keyword(k, top);
        if (n !== null) out.push(n);
        continue;
      }
      const pipe = this.pipeline('command', 'close');
      out.push({ t: 'action', pos: k.pos, pipe });
    }
  }

  private keyword(k: Token, top: boolean): Node | null {
    this.i++;
    switch (k.val) {
      case 'if':
      case 'with':
        return this.control(k.val, k);
      case 'range':
        return this.control('range', k);
      case 'template':
        return this.templateCall(k);
      case 'define': {
        if (!top) this.fail(k.pos, 'unexpected <define> in command');
        this.define(k);
        return null;
      }
      case 'block': {
        const name = this.expect('string', 'block clause').val;
        const pipe = this.pipeline('block', 'close');
        const body = this.bodyUntilEnd(k);
        this.defs.set(name, body);
        return { t: 'template', pos: k.pos, name, pipe };
      }
      case 'break':
      case 'continue': {
        if (this.rangeDepth === 0) this.fail(k.pos, `{{${k.val}}} outside {{range}}`);
        this.expect('close', `{{${k.val}}}`);
        return { t: k.val, pos: k.pos };
      }
      default:
        return this.fail(k.pos, `unexpected <${k.val}> in command`);
    }
  }

  private define(k: Token): void {
    const name = this.expect('string', 'define clause').val;
    this.expect('close', 'define clause');
    const saved = this.vars;
    this.vars = [['$']];
    const body = this.bodyUntilEnd(k);
    this.vars = saved;
    this.defs.set(name, body);
  }

  private bodyUntilEnd(k: Token): Node[] {
    const { list, stop } = this.list(false);
    if (stop!.val !== 'end') this.fail(stop!.pos, `unexpected {{else}} in ${k.val}`);
    this.expect('close', 'end');
    return list;
  }

  private templateCall(k: Token): Node {
    const nameTok = this.next();
    if (nameTok.kind !== 'string') this.fail(nameTok.pos, `unexpected ${describe(nameTok)} in template clause`);
    if (this.peek().kind === 'close') {
      this.i++;
      return { t: 'template', pos: k.pos, name: nameTok.val, pipe: null };
    }
    return { t: 'template', pos: k.pos, name: nameTok.val, pipe: this.pipeline('template', 'close') };
  }

  /** if / with / range: pipeline, list, optional else (or `else if` / `else with` chain), end. */
  private control(kind: 'if' | 'with' | 'range', k: Token): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, 'close');
    if (kind === 'range') this.rangeDepth++;
    const { list, stop } = this.list(false);
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (stop!.val === 'else') {
      const nk = this.peek();
      if (
        (kind === 'if' && nk.kind === 'keyword' && nk.val === 'if') ||
        (kind === 'with' && nk.kind === 'keyword' && nk.val === 'with')
      ) {
        // `{{else if}}` / `{{else with}}`: a nested node that consumes the shared {{end}}
        this.i++;
        this.vars.pop();
        elseList = [this.control(kind, nk)];
        return { t: kind, pos: k.pos, pipe, list, elseList };
      }
      this.expect('close', 'else');
      const r = this.list(false);
      if (r.stop!.val !== 'end') this.fail(r.stop!.pos, `expected end; found {{else}}`);
      elseList = r.list;
    }
    this.expect('close', 'end');
    this.vars.pop();
    return { t: kind, pos: k.pos, pipe, list, elseList };
  }

  private declare(name: string): void {
    this.vars[this.vars.length - 1]!.push(name);
  }
  private known(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }

  /** Pipeline up to `end` (close or rparen), with its optional variable declaration / assignment. */
  pipeline(ctx: string, end: 'close' | 'rparen'): Pipe {
    const start = this.peek();
    const pipe: Pipe = { pos: start.pos, decl: [], assign: false, cmds: [] };
    this.declaration(pipe, ctx);
    for (;;) {
      const t = this.peek();
      if (t.kind === end) {
        this.i++;
        if (pipe.cmds.length === 0) this.fail(t.pos, `missing value for ${ctx}`);
        return pipe;
      }
      if (t.kind === 'close' || t.kind === 'rparen' || t.kind === 'eof')
        this.fail(t.pos, `unexpected ${describe(t)} in ${ctx}`);
      pipe.cmds.push(this.command(end));
      if (this.peek().kind === 'pipe') {
        const p = this.next();
        if (this.peek().kind === end) this.fail(p.pos, 'missing command after |');
      }
    }
  }

  private declaration(pipe: Pipe, ctx: string): void {
    const t0 = this.peek(),
      t1 = this.peek(1);
    if (t0.kind !== 'var') return;
    if (t1.kind === 'declare' || t1.kind === 'assign') {
      this.i += 2;
      pipe.decl = [t0.val];
      pipe.assign = t1.kind === 'assign';
      if (pipe.assign && !this.known(t0.val)) this.fail(t0.pos, `undefined variable "${t0.val}"`);
      if (!pipe.assign) this.declare(t0.val);
      return;
    }
    if (t1.kind === 'comma' && ctx === 'range' && this.peek(2).kind === 'var') {
      const t3 = this.peek(3);
      if (t3.kind === 'declare' || t3.kind === 'assign') {
        const v2 = this.peek(2).val;
        this.i += 4;
        pipe.decl = [t0.val, v2];
        pipe.assign = t3.kind === 'assign';
        if (!pipe.assign) {
          this.declare(t0.val);
          this.declare(v2);
        }
        return;
      }
    }
  }

  private command(end: 'close' | 'rparen'): Command {
    const cmd: Command = { pos: this.peek().pos, args: [] };
    for (;;) {
      const t = this.peek();
      if (t.kind === end || t.kind === 'pipe') break;
      if (t.kind === 'close' || t.kind === 'rparen' || t.kind === 'eof')
        this.fail(t.pos, `unexpected ${describe(t)} in operand`);
      if (cmd.args.length > 0 && !t.space && t.kind !== 'lparen')
        this.fail(t.pos, `missing space before ${describe(t)}`);
      cmd.args.push(this.operand());
    }
    if (cmd.args.length === 0) this.fail(this.peek().pos, 'empty command');
    if (cmd.args[0]!.t === 'nil') this.fail(cmd.args[0]!.pos, 'nil is not a command');
    return cmd;
  }

  /** A term followed by `.Field` chains written without space. */
  private operand(): Arg {
    let node = this.term();
    const idents: string[] = [];
    while (this.peek().kind === 'field' && !this.peek().space) idents.push(this.next().val);
    if (idents.length === 0) return node;
    switch (node.t) {
      case 'field':
        return { ...node, idents: [...node.idents, ...idents] };
      case 'var':
        return { ...node, idents: [...node.idents, ...idents] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(
          node.pos,
          `unexpected . after term ${JSON.stringify(this.src.slice(node.pos, this.peek().pos))}`,
        );
      default:
        node = { t: 'chain', pos: node.pos, node, idents };
        return node;
    }
  }

  private term(): Arg {
    const t = this.next();
    switch (t.kind) {
      case 'field':
        return { t: 'field', pos: t.pos, idents: [t.val] };
      case 'var':
        if (!this.known(t.val)) this.fail(t.pos, `undefined variable "${t.val}"`);
        return { t: 'var', pos: t.pos, name: t.val, idents: [] };
      case 'ident':
        return { t: 'ident', pos: t.pos, name: t.val };
      case 'dot':
        return { t: 'dot', pos: t.pos };
      case 'bool':
        return { t: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'number':
        return { t: 'number', pos: t.pos, value: t.num!, text: t.val };
      case 'string':
        return { t: 'string', pos: t.pos, value: t.val };
      case 'keyword':
        if (t.val === 'nil') return { t: 'nil', pos: t.pos };
        return this.fail(t.pos, `unexpected <${t.val}> in operand`);
      case 'lparen':
        return { t: 'pipe', pos: t.pos, pipe: this.pipeline('parenthesized pipeline', 'rparen') };
      default:
        return this.fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'EOF';
    case 'close':
      return '"}}"';
    case 'string':
      return `quoted string ${JSON.stringify(t.val)}`;
    case 'keyword':
      return `<${t.val}>`;
    case 'field':
      return `<.${t.val}>`;
    default:
      return `"${t.val}"`;
  }
}

/** Parses `src` (named `name` in messages): the main template and the ones it defines. */
export function parseTemplate(name: string, src: string): ParsedSet {
  const p = new Parser(name, src);
  const root = p.parseRoot();
  return { root, defs: p.defs };
}
