// Decision and alert-source scopes as the Local API names them (spec lapi.md §6.6 step 2): the built-in scopes
// `Ip`, `Range`, `AS` and `Country`, matched case-insensitively and stored capitalised; any other scope is kept
// verbatim. Owns: the scope names and the one normalisation used by the LAPI ingest, its query strings, the
// profiles and the CLI.

export const SCOPE_IP = 'Ip';
export const SCOPE_RANGE = 'Range';
export const SCOPE_AS = 'AS';
export const SCOPE_COUNTRY = 'Country';

/** Built-in scopes are matched case-insensitively and returned capitalised; others are returned unchanged. */
export function normaliseScope(scope: string): string {
  switch (scope.toLowerCase()) {
    case 'ip':
      return SCOPE_IP;
    case 'range':
      return SCOPE_RANGE;
    case 'as':
      return SCOPE_AS;
    case 'country':
      return SCOPE_COUNTRY;
    default:
      return scope;
  }
}
