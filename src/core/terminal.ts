// Untrusted strings never reach the operator's terminal raw (issue 11 §5): machine ids registered over the
// open API, log lines, alert fields can carry escape sequences that retitle, clear or recolour a terminal.
// Owns the one escaping every human output goes through (src/cli/main.ts applies it to stdout and stderr):
// C0 controls except newline and tab, DEL and C1 controls become `\u00XX` (also a valid escape inside a JSON
// string, so JSON output stays valid JSON).

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const hex = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/** `s` with every control character except \n and \t written as `\u00XX` */
export function escapeControls(s: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(s) ? s.replace(CONTROL, hex) : s;
}
