// The expression error family, on PicketError with stable codes: the parser's and the compiler's positioned
// errors (EXPR_SYNTAX, EXPR_TYPE), which compileExpr turns into ExprCompileError (EXPR_COMPILE); the
// runtime's RtError raised by operators and helpers (EXPR_HELPER), which run() turns into ExprRuntimeError
// (EXPR_RUNTIME). Owns: these classes only.

import { PicketError } from '../core/errors.js';

/** Base of every expression error. */
export class ExprError extends PicketError {}

/** A syntax error at `pos` of the source (parser.ts). */
export class ParseError extends ExprError {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super('EXPR_SYNTAX', message);
  }
}

/** A name or type error at `pos` of the source (compile.ts). */
export class CompileErr extends ExprError {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super('EXPR_TYPE', message);
  }
}

/** An error raised while evaluating: an operator on bad operands, a helper refusing its arguments. */
export class RtError extends ExprError {
  constructor(message: string) {
    super('EXPR_HELPER', message);
  }
}

function lineCol(src: string, pos: number): { line: number; col: number; text: string } {
  const before = src.slice(0, pos);
  const line = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  let end = src.indexOf('\n', pos);
  if (end < 0) end = src.length;
  return { line, col: pos - start + 1, text: src.slice(start, end) };
}

/** What compileExpr throws: names where the expression comes from, shows the position (EXPR_COMPILE). */
export class ExprCompileError extends ExprError {
  constructor(
    readonly where: string,
    readonly source: string,
    readonly pos: number,
    readonly reason: string,
  ) {
    const lc = lineCol(source, pos);
    const caret = `${' '.repeat(Math.max(0, lc.col - 1))}^`;
    super(
      'EXPR_COMPILE',
      `${where}: compile error in expression ${JSON.stringify(source)}: ${reason} ` +
        `(${lc.line}:${lc.col})\n | ${lc.text}\n | ${caret}`,
    );
  }
}

/** What a compiled expression's run() throws: names the expression and the reason (EXPR_RUNTIME). */
export class ExprRuntimeError extends ExprError {
  constructor(
    readonly where: string,
    readonly source: string,
    readonly reason: string,
  ) {
    super('EXPR_RUNTIME', `${where}: runtime error in expression ${JSON.stringify(source)}: ${reason}`);
  }
}
