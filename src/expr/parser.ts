// Lexer + parser for the expr-lang/expr v1.17 grammar (expr.md §2), producing a small AST.
// Owns: tokens, literal decoding (Go string escapes, number forms), operator precedence and the
// expr-specific quirks (`not a == b` is `(not a) == b`, `??` not mixable on its right, chained
// ordering comparisons, right-assoc `**`/`^`, ternary/elvis/if-else, let, closures with `#`).

import { ParseError } from './errors.js';

export { ParseError };

type TokKind = 'num' | 'str' | 'ident' | 'op' | 'br' | 'eof';
interface Tok {
  k: TokKind;
  v: string;
  pos: number;
  lit?: unknown;
  isFloat?: boolean;
}

const WORD_OPS = new Set([
  'not',
  'and',
  'or',
  'in',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'let',
  'if',
  'else',
]);
const OPS3 = ['...'];
const OPS2 = ['==', '!=', '<=', '>=', '&&', '||', '??', '?.', '..', '**', '::'];
const OPS1 = '+-*/%^<>=!?.:|#;,';

export function decodeGoString(body: string, quote: string, basePos: number): string {
  if (!body.includes('\\')) return body;
  // Go strings are byte strings: \xNN and \NNN are raw bytes, decoded as UTF-8 at the end.
  const bytes: number[] = [];
  const pushStr = (str: string) => {
    for (const b of Buffer.from(str, 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      if (cp > 0xffff) {
        pushStr(String.fromCodePoint(cp));
        i++;
      } else pushStr(c);
      continue;
    }
    const pos = basePos + i;
    i++;
    if (i >= body.length) throw new ParseError('literal not terminated', pos);
    const e = body[i]!;
    switch (e) {
      case 'a':
        bytes.push(7);
        break;
      case 'b':
        bytes.push(8);
        break;
      case 'f':
        bytes.push(12);
        break;
      case 'n':
        bytes.push(10);
        break;
      case 'r':
        bytes.push(13);
        break;
      case 't':
        bytes.push(9);
        break;
      case 'v':
        bytes.push(11);
        break;
      case '\\':
        bytes.push(0x5c);
        break;
      case '?':
        bytes.push(0x3f);
        break;
      case "'":
      case '"':
        bytes.push(e.charCodeAt(0));
        break;
      case 'x': {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new ParseError('invalid char escape', pos);
        bytes.push(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        if (e === 'u' && body[i + 1] === '{') {
          const end = body.indexOf('}', i + 2);
          const h = end < 0 ? '' : body.slice(i + 2, end);
          if (!/^[0-9a-fA-F]{1,8}$/.test(h)) throw new ParseError('invalid char escape', pos);
          const cp = parseInt(h, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
            throw new ParseError('escape sequence is invalid Unicode code point', pos);
          pushStr(String.fromCodePoint(cp));
          i = end;
          break;
        }
        const n = e === 'u' ? 4 : 8;
        const h = body.slice(i + 1, i + 1 + n);
        if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new ParseError('invalid char escape', pos);
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
          throw new ParseError('escape sequence is invalid Unicode code point', pos);
        pushStr(String.fromCodePoint(cp));
        i += n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          const o = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw new ParseError('invalid char escape', pos);
          const v = parseInt(o, 8);
          if (v > 255) throw new ParseError('octal escape value > 255', pos);
          bytes.push(v);
          i += 2;
          break;
        }
        throw new ParseError(`invalid char escape \\${e}`, pos);
    }
  }
  void quote;
  return Buffer.from(bytes).toString('utf8');
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new ParseError('unclosed comment', i);
      i = end + 2;
      continue;
    }
    const start = i;
    if ((c >= '0' && c <= '9') || (c === '.' && src[i + 1]! >= '0' && src[i + 1]! <= '9')) {
      let m: RegExpExecArray | null;
      const rest = src.slice(i);
      if ((m = /^0[xX][0-9a-fA-F_]+/.exec(rest))) {
        toks.push({ k: 'num', v: m[0], pos: start, lit: parseInt(m[0].slice(2).replace(/_/g, ''), 16) });
      } else if ((m = /^0[oO][0-7_]+/.exec(rest))) {
        toks.push({ k: 'num', v: m[0], pos: start, lit: parseInt(m[0].slice(2).replace(/_/g, ''), 8) });
      } else if ((m = /^0[bB][01_]+/.exec(rest))) {
        toks.push({ k: 'num', v: m[0], pos: start, lit: parseInt(m[0].slice(2).replace(/_/g, ''), 2) });
      } else {
        m = /^(?:[0-9][0-9_]*)?(?:\.(?!\.)[0-9_]*)?(?:[eE][+-]?[0-9_]+)?/.exec(rest)!;
        let text = m[0];
        if (text.endsWith('.') && /[a-zA-Z_]/.test(src[i + text.length] ?? '')) text = text.slice(0, -1);
        const clean = text.replace(/_/g, '');
        const isFloat = /[.eE]/.test(clean);
        if (!isFloat && /^0[0-7]+$/.test(clean)) {
          toks.push({ k: 'num', v: text, pos: start, lit: parseInt(clean, 8) });
        } else {
          const v = Number(clean);
          if (Number.isNaN(v)) throw new ParseError(`invalid number ${text}`, start);
          toks.push({ k: 'num', v: text, pos: start, lit: v, isFloat });
        }
        m = [text] as unknown as RegExpExecArray;
      }
      i += m[0].length;
      if (/[a-zA-Z_]/.test(src[i] ?? ''))
        throw new ParseError(`bad number syntax: "${src.slice(start, i + 1)}"`, start);
      continue;
    }
    if (c === '"' || c === "'" || (c === 'b' && (src[i + 1] === '"' || src[i + 1] === "'"))) {
      const q = c === 'b' ? src[i + 1]! : c;
      let j = c === 'b' ? i + 2 : i + 1;
      const bodyStart = j;
      while (j < n && src[j] !== q) {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') throw new ParseError('literal not terminated', start);
        j++;
      }
      if (j >= n) throw new ParseError('literal not terminated', start);
      const body = src.slice(bodyStart, j);
      toks.push({ k: 'str', v: src.slice(start, j + 1), pos: start, lit: decodeGoString(body, q, bodyStart) });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new ParseError('literal not terminated', start);
      toks.push({ k: 'str', v: src.slice(i, end + 1), pos: start, lit: src.slice(i + 1, end).replace(/\r/g, '') });
      i = end + 1;
      continue;
    }
    if (/[a-zA-Z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[a-zA-Z0-9_$]/.test(src[j]!)) j++;
      const w = src.slice(i, j);
      toks.push({ k: WORD_OPS.has(w) ? 'op' : 'ident', v: w, pos: start });
      i = j;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === '{' || c === '}') {
      toks.push({ k: 'br', v: c, pos: start });
      i++;
      continue;
    }
    const three = src.slice(i, i + 3);
    if (OPS3.includes(three)) {
      toks.push({ k: 'op', v: three, pos: start });
      i += 3;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (OPS2.includes(two)) {
      // `?.` followed by a digit is `?` then `.5`
      if (!(two === '?.' && /[0-9]/.test(src[i + 2] ?? ''))) {
        toks.push({ k: 'op', v: two, pos: start });
        i += 2;
        continue;
      }
    }
    if (OPS1.includes(c)) {
      toks.push({ k: 'op', v: c, pos: start });
      i++;
      continue;
    }
    throw new ParseError(
      `unrecognized character: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`,
      start,
    );
  }
  toks.push({ k: 'eof', v: '', pos: n });
  return toks;
}

// ---- AST ----
export type Node =
  | { t: 'lit'; pos: number; v: unknown; float?: boolean }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'ptr'; pos: number; name: string } // '#', '#index', '#acc', '' for implicit
  | { t: 'unary'; pos: number; op: string; x: Node }
  | { t: 'bin'; pos: number; op: string; l: Node; r: Node }
  | { t: 'member'; pos: number; x: Node; prop: Node; opt: boolean; dot: boolean }
  | { t: 'slice'; pos: number; x: Node; from: Node | null; to: Node | null }
  | { t: 'call'; pos: number; name: string; args: Node[] }
  | { t: 'method'; pos: number; x: Node; name: string; args: Node[]; opt: boolean }
  | { t: 'closure'; pos: number; body: Node }
  | { t: 'cond'; pos: number; c: Node; a: Node; b: Node; elvis?: boolean }
  | { t: 'array'; pos: number; items: Node[] }
  | { t: 'map'; pos: number; keys: Node[]; vals: Node[] }
  | { t: 'let'; pos: number; name: string; val: Node; body: Node }
  | { t: 'seq'; pos: number; items: Node[] };

interface BinOp {
  p: number;
  right?: boolean;
}
const BINARY: Record<string, BinOp> = {
  '|': { p: 0 },
  or: { p: 10 },
  '||': { p: 10 },
  and: { p: 15 },
  '&&': { p: 15 },
  '==': { p: 20 },
  '!=': { p: 20 },
  '<': { p: 20 },
  '>': { p: 20 },
  '>=': { p: 20 },
  '<=': { p: 20 },
  in: { p: 20 },
  matches: { p: 20 },
  contains: { p: 20 },
  startsWith: { p: 20 },
  endsWith: { p: 20 },
  '..': { p: 25 },
  '+': { p: 30 },
  '-': { p: 30 },
  '*': { p: 60 },
  '/': { p: 60 },
  '%': { p: 60 },
  '**': { p: 100, right: true },
  '^': { p: 100, right: true },
  '??': { p: 500 },
};
const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const CHAINED = new Set(['<', '>', '<=', '>=']);
export const PREDICATE_BUILTINS = new Set([
  'all',
  'none',
  'any',
  'one',
  'filter',
  'map',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'count',
  'sum',
  'groupBy',
  'sortBy',
  'reduce',
]);

export function parse(src: string): Node {
  return new Parser(tokenize(src)).parseAll();
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private toks: Tok[]) {}
  private get cur(): Tok {
    return this.toks[this.i]!;
  }
  private next(): void {
    if (this.i < this.toks.length - 1) this.i++;
  }
  private is(k: TokKind, v?: string): boolean {
    const c = this.cur;
    return c.k === k && (v === undefined || c.v === v);
  }
  private err(msg: string, tok?: Tok): never {
    throw new ParseError(msg, (tok ?? this.cur).pos);
  }
  private expect(k: TokKind, v?: string): Tok {
    if (!this.is(k, v))
      this.err(
        this.cur.k === 'eof'
          ? `unexpected end of expression, expected ${v ?? k}`
          : `unexpected token ${this.desc(this.cur)}, expected ${v ?? k}`,
      );
    const t = this.cur;
    this.next();
    return t;
  }
  private desc(t: Tok): string {
    const kinds: Record<TokKind, string> = {
      num: 'Number',
      str: 'String',
      ident: 'Identifier',
      op: 'Operator',
      br: 'Bracket',
      eof: 'EOF',
    };
    return `${kinds[t.k]}(${JSON.stringify(t.v)})`;
  }

  parseAll(): Node {
    if (this.is('eof')) this.err('unexpected end of expression');
    const n = this.parseSequence();
    if (!this.is('eof')) this.err(`unexpected token ${this.desc(this.cur)}`);
    return n;
  }

  private parseSequence(): Node {
    const first = this.parseExpression(0);
    if (!this.is('op', ';')) return first;
    const items = [first];
    const pos = this.cur.pos;
    while (this.is('op', ';')) {
      this.next();
      if (this.is('eof') || this.is('br', '}')) break;
      items.push(this.parseExpression(0));
    }
    return items.length === 1 ? first : { t: 'seq', pos, items };
  }

  parseExpression(prec: number): Node {
    if (prec === 0 && this.is('op', 'let')) return this.parseLet();
    if (prec === 0 && this.is('op', 'if')) return this.parseIf();
    let left = this.parsePrimary();
    let prevOp = '';
    let opTok = this.cur;
    while (opTok.k === 'op') {
      let negate = false;
      if (opTok.v === 'not') {
        const save = this.i;
        this.next();
        if (this.cur.k === 'op' && NEGATABLE.has(this.cur.v)) {
          if (BINARY[this.cur.v]!.p >= prec) {
            negate = true;
            opTok = this.cur;
          } else {
            this.i = save;
            break;
          }
        } else {
          this.err(`unexpected token ${this.desc(this.cur)}`);
        }
      }
      const op = BINARY[opTok.v];
      if (!op || op.p < prec) break;
      this.next();
      if (opTok.v === '|') {
        const id = this.expect('ident');
        left = this.parseCall(id, [left]);
      } else {
        if (prevOp === '??' && opTok.v !== '??') {
          this.err(
            `Operator (${opTok.v}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
            opTok,
          );
        }
        if (CHAINED.has(opTok.v)) {
          left = this.parseComparison(left, opTok, op.p);
        } else {
          const right = this.parseExpression(op.right ? op.p : op.p + 1);
          left = { t: 'bin', pos: opTok.pos, op: opTok.v, l: left, r: right };
          if (negate) left = { t: 'unary', pos: opTok.pos, op: 'not', x: left };
        }
      }
      prevOp = opTok.v;
      opTok = this.cur;
    }
    if (prec === 0) left = this.parseConditional(left);
    return left;
  }

  private parseComparison(left: Node, tok: Tok, prec: number): Node {
    let root: Node | null = null;
    for (;;) {
      const right = this.parseExpression(prec + 1);
      const cmp: Node = { t: 'bin', pos: tok.pos, op: tok.v, l: left, r: right };
      root = root === null ? cmp : { t: 'bin', pos: tok.pos, op: '&&', l: root, r: cmp };
      left = right;
      tok = this.cur;
      if (!(tok.k === 'op' && CHAINED.has(tok.v))) break;
      this.next();
    }
    return root;
  }

  private parseConditional(node: Node): Node {
    while (this.is('op', '?')) {
      const pos = this.cur.pos;
      this.next();
      if (!this.is('op', ':')) {
        const a = this.parseExpression(0);
        this.expect('op', ':');
        const b = this.parseExpression(0);
        node = { t: 'cond', pos, c: node, a, b };
      } else {
        this.next();
        const b = this.parseExpression(0);
        node = { t: 'cond', pos, c: node, a: node, b, elvis: true };
      }
    }
    return node;
  }

  private parseLet(): Node {
    const pos = this.cur.pos;
    this.next();
    const id = this.expect('ident');
    this.expect('op', '=');
    const val = this.parseExpression(0);
    this.expect('op', ';');
    const body = this.parseSequence();
    return { t: 'let', pos, name: id.v, val, body };
  }

  private parseIf(): Node {
    const pos = this.cur.pos;
    this.next();
    const c = this.parseExpression(0);
    this.expect('br', '{');
    const a = this.parseSequence();
    this.expect('br', '}');
    this.expect('op', 'else');
    let b: Node;
    if (this.is('op', 'if')) b = this.parseIf();
    else {
      this.expect('br', '{');
      b = this.parseSequence();
      this.expect('br', '}');
    }
    return { t: 'cond', pos, c, a, b };
  }

  private parsePrimary(): Node {
    const tok = this.cur;
    if (tok.k === 'op' && UNARY[tok.v] !== undefined) {
      this.next();
      const x = this.parseExpression(UNARY[tok.v]!);
      return this.parsePostfix({ t: 'unary', pos: tok.pos, op: tok.v, x });
    }
    if (tok.k === 'br' && tok.v === '(') {
      this.next();
      const e = this.parseSequence();
      if (!this.is('br', ')')) this.err('an opened parenthesis is not properly closed', tok);
      this.next();
      return this.parsePostfix(e);
    }
    if (this.depth > 0 && tok.k === 'op' && (tok.v === '#' || tok.v === '.')) {
      let name = '';
      if (tok.v === '#') {
        this.next();
        if (this.cur.k === 'ident') {
          name = this.cur.v;
          this.next();
        }
      }
      return this.parsePostfix({ t: 'ptr', pos: tok.pos, name });
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const tok = this.cur;
    let node: Node;
    switch (tok.k) {
      case 'ident':
        this.next();
        if (tok.v === 'true' || tok.v === 'false') node = { t: 'lit', pos: tok.pos, v: tok.v === 'true' };
        else if (tok.v === 'nil') node = { t: 'lit', pos: tok.pos, v: null };
        else if (this.is('br', '(')) node = this.parseCall(tok, []);
        else node = { t: 'ident', pos: tok.pos, name: tok.v };
        break;
      case 'num':
        this.next();
        node = { t: 'lit', pos: tok.pos, v: tok.lit, float: tok.isFloat ?? false };
        break;
      case 'str':
        this.next();
        node = { t: 'lit', pos: tok.pos, v: tok.lit };
        break;
      case 'br':
        if (tok.v === '[') node = this.parseArray();
        else if (tok.v === '{') node = this.parseMap();
        else this.err(`unexpected token ${this.desc(tok)}`);
        break;
      case 'eof':
        this.err('unexpected end of expression');
      // eslint-disable-next-line no-fallthrough
      default:
        this.err(`unexpected token ${this.desc(tok)}`);
    }
    return this.parsePostfix(node);
  }

  private parseCall(id: Tok, pre: Node[]): Node {
    this.expect('br', '(');
    const args = pre.slice();
    const isPred = PREDICATE_BUILTINS.has(id.v);
    while (!this.is('br', ')')) {
      if (args.length > pre.length) this.expect('op', ',');
      if (this.is('br', ')')) break;
      if (isPred && args.length === 1) args.push(this.parseClosure());
      else args.push(this.parseExpression(0));
    }
    this.expect('br', ')');
    return { t: 'call', pos: id.pos, name: id.v, args };
  }

  private parseClosure(): Node {
    const pos = this.cur.pos;
    let braces = false;
    if (this.is('br', '{')) {
      // `{a: 1}` map literal vs closure: expr treats `{` here as a closure start.
      braces = true;
      this.next();
    }
    this.depth++;
    const body = this.parseSequence();
    this.depth--;
    if (braces) this.expect('br', '}');
    return { t: 'closure', pos, body };
  }

  private parseArray(): Node {
    const pos = this.cur.pos;
    this.next();
    const items: Node[] = [];
    while (!this.is('br', ']')) {
      if (items.length > 0) {
        this.expect('op', ',');
        if (this.is('br', ']')) break;
      }
      items.push(this.parseExpression(0));
    }
    this.next();
    return { t: 'array', pos, items };
  }

  private parseMap(): Node {
    const pos = this.cur.pos;
    this.next();
    const keys: Node[] = [];
    const vals: Node[] = [];
    while (!this.is('br', '}')) {
      if (keys.length > 0) {
        this.expect('op', ',');
        if (this.is('br', '}')) break;
      }
      const kt = this.cur;
      let key: Node;
      if (kt.k === 'num' || kt.k === 'str') {
        key = { t: 'lit', pos: kt.pos, v: kt.k === 'num' ? String(kt.lit) : kt.lit };
        this.next();
      } else if (kt.k === 'ident' || (kt.k === 'op' && /^[a-zA-Z]/.test(kt.v))) {
        key = { t: 'lit', pos: kt.pos, v: kt.v };
        this.next();
      } else if (kt.k === 'br' && kt.v === '(') {
        key = this.parseExpression(0);
      } else
        this.err(
          `a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${this.desc(kt)})`,
        );
      this.expect('op', ':');
      keys.push(key);
      vals.push(this.parseExpression(0));
    }
    this.next();
    return { t: 'map', pos, keys, vals };
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      const tok = this.cur;
      if (tok.k === 'op' && (tok.v === '.' || tok.v === '?.')) {
        const opt = tok.v === '?.';
        this.next();
        if (opt && this.is('br', '[')) {
          node = this.parseIndex(node, true);
          continue;
        }
        const nt = this.cur;
        if (!(nt.k === 'ident' || (nt.k === 'op' && /^[a-zA-Z]/.test(nt.v)))) this.err('expected name');
        this.next();
        if (this.is('br', '(')) {
          this.next();
          const args: Node[] = [];
          while (!this.is('br', ')')) {
            if (args.length > 0) this.expect('op', ',');
            args.push(this.parseExpression(0));
          }
          this.next();
          node = { t: 'method', pos: nt.pos, x: node, name: nt.v, args, opt };
        } else {
          node = { t: 'member', pos: nt.pos, x: node, prop: { t: 'lit', pos: nt.pos, v: nt.v }, opt, dot: true };
        }
      } else if (tok.k === 'br' && tok.v === '[') {
        node = this.parseIndex(node, false);
      } else break;
    }
    return node;
  }

  private parseIndex(node: Node, opt: boolean): Node {
    const pos = this.cur.pos;
    this.next(); // [
    if (this.is('op', ':')) {
      this.next();
      let to: Node | null = null;
      if (!this.is('br', ']')) to = this.parseExpression(0);
      this.expect('br', ']');
      return { t: 'slice', pos, x: node, from: null, to };
    }
    const idx = this.parseExpression(0);
    if (this.is('op', ':')) {
      this.next();
      let to: Node | null = null;
      if (!this.is('br', ']')) to = this.parseExpression(0);
      this.expect('br', ']');
      return { t: 'slice', pos, x: node, from: idx, to };
    }
    this.expect('br', ']');
    return { t: 'member', pos, x: node, prop: idx, opt, dot: false };
  }
}
