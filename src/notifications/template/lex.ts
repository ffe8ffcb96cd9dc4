// Lexer of Go's text/template syntax: text, `{{ }}` actions with the `{{- ` / ` -}}` trim markers, comments,
// and the tokens inside an action (fields, variables, identifiers, keywords, strings, raw strings, chars,
// numbers, `:=`, `=`, `|`, `(`, `)`, `,`). Owns the token shapes, their positions (line:col) and
// TemplateError, the error every stage of the template engine throws (it names the template and position).

import { PicketError } from '../../core/errors.js';

export class TemplateError extends PicketError {
  constructor(code: 'NOTIFY_TEMPLATE_PARSE' | 'NOTIFY_TEMPLATE_EXEC', message: string) {
    super(code, message);
  }
}

export type TokKind =
  | 'text'
  | 'open'
  | 'close'
  | 'field'
  | 'var'
  | 'ident'
  | 'keyword'
  | 'bool'
  | 'string'
  | 'number'
  | 'declare'
  | 'assign'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'dot'
  | 'eof';

export interface Token {
  kind: TokKind;
  /** text, identifier/keyword name, field name (no dot), variable name (with `$`), string value */
  val: string;
  /** number value for `number` tokens */
  num?: number;
  /** byte offset of the token in the source */
  pos: number;
  /** whitespace precedes the token inside its action */
  space: boolean;
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'nil',
  'template',
  'with',
]);
const SPACE = /[ \t\r\n]/;
const ALNUM = /[\p{L}\p{Nd}_]/u;
const MAX_TEMPLATE = 1 << 20;

/** `name:line:col` of an offset as Go's template errors print it (col: bytes before it on its line). */
export function location(name: string, src: string, pos: number): string {
  const before = src.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  return `${name}:${line}:${Buffer.byteLength(before.slice(nl + 1))}`;
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Go interpreted string / char literal body -> value (throws a message on a bad escape). */
function unquote(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('unterminated escape');
    if (ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const h = body.slice(i + 1, i + 1 + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hexLen) throw new Error(`invalid escape \\${e}${h}`);
      out += e === 'x' ? String.fromCharCode(parseInt(h, 16)) : String.fromCodePoint(parseInt(h, 16));
      i += hexLen;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error(`invalid octal escape \\${o}`);
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
      continue;
    }
    throw new Error(`unknown escape sequence \\${e}`);
  }
  return out;
}

function parseNumber(text: string): number | null {
  const t = text.replace(/_/g, '');
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t))
    return Number.parseInt(t.replace(/0[xX]/, ''), 16) * (t.startsWith('-') ? -1 : 1);
  if (/^[+-]?0[oO][0-7]+$/.test(t)) return Number.parseInt(t.replace(/0[oO]/, ''), 8) * (t.startsWith('-') ? -1 : 1);
  if (/^[+-]?0[bB][01]+$/.test(t)) return Number.parseInt(t.replace(/0[bB]/, ''), 2) * (t.startsWith('-') ? -1 : 1);
  if (/^[+-]?0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  return null;
}

class Lexer {
  readonly tokens: Token[] = [];
  private i = 0;

  constructor(
    private readonly name: string,
    private readonly src: string,
  ) {}

  fail(pos: number, msg: string): never {
    throw new TemplateError('NOTIFY_TEMPLATE_PARSE', `template: ${location(this.name, this.src, pos)}: ${msg}`);
  }

  run(): Token[] {
    const s = this.src;
    if (s.length > MAX_TEMPLATE) this.fail(0, `template larger than ${MAX_TEMPLATE} characters`);
    let trimNext = false;
    while (this.i < s.length) {
      const open = s.indexOf('{{', this.i);
      const end = open < 0 ? s.length : open;
      let text = s.slice(this.i, end);
      if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
      const leftTrim = open >= 0 && s[open + 2] === '-' && SPACE.test(s[open + 3] ?? '');
      if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
      if (text !== '') this.tokens.push({ kind: 'text', val: text, pos: this.i, space: false });
      if (open < 0) break;
      this.i = open + 2 + (leftTrim ? 2 : 0);
      trimNext = this.action(open);
    }
    this.tokens.push({ kind: 'eof', val: '', pos: s.length, space: false });
    return this.tokens;
  }

  /** Lexes one action starting at `open` (the `{{`); returns whether it ends with ` -}}`. */
  private action(open: number): boolean {
    const s = this.src;
    // comment: {{/* ... */}}, {{- /* ... */ -}}
    if (s.startsWith('/*', this.i)) {
      const close = s.indexOf('*/', this.i + 2);
      if (close < 0) this.fail(open, 'unclosed comment');
      const m = /^( -)?}}/.exec(s.slice(close + 2));
      if (!m) this.fail(close, 'comment ends before closing delimiter');
      this.i = close + 2 + m[0].length;
      return m[0].startsWith(' -');
    }
    this.tokens.push({ kind: 'open', val: '{{', pos: open, space: false });
    let space = false;
    let depth = 0;
    for (;;) {
      if (this.i >= s.length) this.fail(open, 'unclosed action');
      const c = s[this.i]!;
      if (SPACE.test(c)) {
        const m = /^[ \t\r\n]+-}}/.exec(s.slice(this.i, this.i + 64));
        if (m && depth === 0) {
          this.tokens.push({ kind: 'close', val: '}}', pos: this.i, space: true });
          this.i += m[0].length;
          return true;
        }
        space = true;
        this.i++;
        continue;
      }
      if (s.startsWith('}}', this.i)) {
        if (depth > 0) this.fail(this.i, 'unclosed left paren');
        this.tokens.push({ kind: 'close', val: '}}', pos: this.i, space });
        this.i += 2;
        return false;
      }
      const before = this.tokens.length;
      this.token(c, space);
      const t = this.tokens[before];
      if (t?.kind === 'lparen') depth++;
      if (t?.kind === 'rparen' && --depth < 0) this.fail(t.pos, 'unexpected right paren');
      space = false;
    }
  }

  private push(kind: TokKind, val: string, pos: number, space: boolean, num?: number): void {
    this.tokens.push(num === undefined ? { kind, val, pos, space } : { kind, val, pos, space, num });
  }

  private word(from: number): string {
    let j = from;
    while (j < this.src.length && ALNUM.test(this.src[j]!)) j++;
    return this.src.slice(from, j);
  }

  private token(c: string, space: boolean): void {
    const s = this.src,
      pos = this.i;
    if (s.startsWith(':=', pos)) {
      this.push('declare', ':=', pos, space);
      this.i += 2;
      return;
    }
    const single: Record<string, TokKind> = { '=': 'assign', '|': 'pipe', '(': 'lparen', ')': 'rparen', ',': 'comma' };
    if (single[c]) {
      this.push(single[c]!, c, pos, space);
      this.i++;
      return;
    }
    if (c === '.' && !/[0-9]/.test(s[pos + 1] ?? '')) {
      const w = this.word(pos + 1);
      this.i = pos + 1 + w.length;
      this.push(w === '' ? 'dot' : 'field', w, pos, space);
      return;
    }
    if (c === '$') {
      const w = this.word(pos + 1);
      this.i = pos + 1 + w.length;
      this.push('var', '$' + w, pos, space);
      return;
    }
    if (c === '"' || c === '`') {
      this.quoted(c, space);
      return;
    }
    if (c === "'") {
      const m = /^'((?:[^'\\\n]|\\.)+)'/u.exec(s.slice(pos));
      if (!m) this.fail(pos, 'unterminated character constant');
      const v = this.safeUnquote(m[1]!, pos);
      if ([...v].length !== 1) this.fail(pos, `malformed character constant: ${m[0]}`);
      this.i = pos + m[0].length;
      this.push('number', m[0], pos, space, v.codePointAt(0)!);
      return;
    }
    if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?[0-9a-zA-Z_.]*([eEpP][+-][0-9_]+)?/.exec(s.slice(pos))!;
      const n = parseNumber(m[0]);
      if (n === null) this.fail(pos, `bad number syntax: "${m[0]}"`);
      this.i = pos + m[0].length;
      this.push('number', m[0], pos, space, n);
      return;
    }
    if (ALNUM.test(c)) {
      const w = this.word(pos);
      this.i = pos + w.length;
      if (w === 'true' || w === 'false') this.push('bool', w, pos, space);
      else this.push(KEYWORDS.has(w) ? 'keyword' : 'ident', w, pos, space);
      return;
    }
    this.fail(pos, `unexpected ${JSON.stringify(c)} in command`);
  }

  private safeUnquote(body: string, pos: number): string {
    try {
      return unquote(body);
    } catch (e) {
      return this.fail(pos, (e as Error).message);
    }
  }

  private quoted(q: string, space: boolean): void {
    const s = this.src,
      pos = this.i;
    if (q === '`') {
      const close = s.indexOf('`', pos + 1);
      if (close < 0) this.fail(pos, 'unterminated raw quoted string');
      this.push('string', s.slice(pos + 1, close), pos, space);
      this.i = close + 1;
      return;
    }
    let j = pos + 1;
    while (j < s.length && s[j] !== '"') {
      if (s[j] === '\n') break;
      j += s[j] === '\\' ? 2 : 1;
    }
    if (j >= s.length || s[j] !== '"') this.fail(pos, 'unterminated quoted string');
    this.push('string', this.safeUnquote(s.slice(pos + 1, j), pos), pos, space);
    this.i = j + 1;
  }
}

export function lex(name: string, src: string): Token[] {
  return new Lexer(name, src).run();
}
