// Strict YAML decoding shared by every config and content loader (acquisition, parsers, scenarios, config,
// profiles, simulation). Owns: the scalar coercions and checks those loaders had each written for themselves.

/** A scalar as text the way the loaders always took it: strings as they are, other values through String(). */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}
