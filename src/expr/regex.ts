// Regexes of the expression language (`matches`, constant or dynamic): RE2 (Go's regexp syntax and linear
// time) behind a literal prefilter. Owns: GuardedRegex and the bounded cache of dynamic patterns.
//
// Most hub filters match a URL or user agent against patterns that can only match text containing some
// literal (`/tmui/login.jsp/..;/tmui/[^.]+.jsp\?…` needs "/tmui/login"): one `indexOf` per required literal
// refuses nearly every event before the native call, which costs ~1-2 us (the string is converted to UTF-8 on
// every call). The literals are those the grok prefilter uses (grok/regex.ts scanRegex): substrings every match
// contains, so a missing one proves there is no match and the answer is unchanged.

import RE2 from 're2';
import { LiteralGuard } from '../grok/prefilter.js';
import { scanRegex } from '../grok/regex.js';

export class GuardedRegex {
  readonly re: RE2;
  private readonly guard: LiteralGuard;

  /** throws RE2's error on an invalid pattern */
  constructor(readonly source: string) {
    this.re = new RE2(source, 'u');
    let req: string[];
    try {
      req = scanRegex(source).required;
    } catch {
      req = [];
    }
    this.guard = new LiteralGuard(req);
  }

  test(s: string): boolean {
    return this.guard.pass(s) && this.re.test(s);
  }
}

const cache = new Map<string, GuardedRegex>();
const CACHE_MAX = 1000;

/** The compiled regex of a dynamic pattern (`x matches y` with y computed), cached; throws on an invalid one. */
export function regexOf(p: string): GuardedRegex {
  let re = cache.get(p);
  if (re === undefined) {
    re = new GuardedRegex(p);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(p, re);
  }
  return re;
}
