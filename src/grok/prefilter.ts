// The literal prefilter of a regex: up to two substrings every match must contain (regex.ts scanRegex,
// longest first), checked with indexOf before any regex engine runs. Used by grok patterns, GrokSet and the
// expression language's `matches` (expr/regex.ts). Owns: LiteralGuard only.

export class LiteralGuard {
  private readonly l0: string | null;
  private readonly l1: string | null;
  /** `required`: substrings every match contains, most selective first (only the first two are used) */
  constructor(required: readonly string[]) {
    this.l0 = required[0] ?? null;
    this.l1 = required[1] ?? null;
  }
  /** false when `s` lacks a required literal, i.e. the regex cannot match it */
  pass(s: string): boolean {
    if (this.l0 !== null && s.indexOf(this.l0) === -1) return false;
    if (this.l1 !== null && s.indexOf(this.l1) === -1) return false;
    return true;
  }
}
