// Providers for helpers that need state owned by other modules (expr.md §5): GeoIP, LAPI decision
// counts, DNS. Other modules register them at start-up; without a provider the helpers return their
// neutral value (nil / "" / 0 / []).
// Owns: the provider registry only.

export interface ExprHooks {
  geoipCity?: (ip: string) => unknown; // GeoIPEnrich: raw City record or null
  geoipASN?: (ip: string) => unknown; // GeoIPASNEnrich
  geoipRange?: (ip: string) => unknown; // GeoIPRangeEnrich: network or null
  ipToCountry?: (ip: string) => string; // IPToCountry: ISO code or ""
  decisionsCount?: (value: string) => number; // GetDecisionsCount
  decisionsSinceCount?: (value: string, sinceNs: number) => number; // GetDecisionsSinceCount
  activeDecisionsCount?: (value: string) => number; // GetActiveDecisionsCount
  activeDecisionsTimeLeft?: (value: string) => number; // GetActiveDecisionsTimeLeft (ns)
  lookupHost?: (host: string) => string[]; // LookupHost (synchronous, cached by the provider)
  reverseDNS?: (ip: string) => string[]; // used by MatchKnownBot rdns checks
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void; // LogInfo and helper error lines
}

export const exprHooks: ExprHooks = {};

export function registerExprHooks(h: Partial<ExprHooks>): void {
  Object.assign(exprHooks, h);
}

export function clearExprHooks(): void {
  for (const k of Object.keys(exprHooks)) delete (exprHooks as Record<string, unknown>)[k];
}

export function hookLog(level: 'info' | 'warn' | 'error', msg: string): void {
  if (exprHooks.log) exprHooks.log(level, msg);
}
