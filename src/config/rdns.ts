// The `rdns:` block of Picket's config file (reverse DNS for the reverse_dns enricher, src/parser/enrich/rdns.ts):
//   rdns:
//     enabled: true                     # false: reverse_dns yields nothing (as `--no-rdns`)
//     dns_servers: [127.0.0.1:5353]     # default: the system's resolvers (/etc/resolv.conf)
//     timeout: 2s                       # one query's limit
//     cache_size: 10000                 # answers and failures kept (LRU)
//     cache_ttl: 1h                     # how long a name is kept
//     negative_cache_ttl: 5m            # how long a failure (no name, timeout) is kept
//     max_inflight: 16                  # queries at once
// Owns: validating that block (errors name the file, line and key) and parsing DNS server addresses.

import { isIP } from 'node:net';
import YAML from 'yaml';
import { keyName } from '../core/yaml-strict.js';
import { parseWireDuration } from '../api/wire-time.js';

/** reverse DNS settings; the fields other than `enabled` are rdns.ts RdnsOptions (unset: its defaults) */
export interface RdnsSettings {
  enabled: boolean;
  servers?: string[];
  timeoutMs?: number;
  cacheSize?: number;
  ttlMs?: number;
  negativeTtlMs?: number;
  maxInflight?: number;
}

type Reporter = (node: unknown, key: string, why: string) => never;

/** `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53` (what node:dns setServers takes); null when malformed */
export function checkDnsServer(s: string): string | null {
  let port: string | null = null;
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (br) {
    port = br[2] ?? null;
    if (isIP(br[1]!) !== 6) return null;
  } else if (isIP(s) === 0) {
    const i = s.lastIndexOf(':');
    if (i <= 0) return null;
    port = s.slice(i + 1);
    if (isIP(s.slice(0, i)) !== 4) return null;
  }
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return null;
  return s;
}

function durationMs(v: unknown, key: string, fail: Reporter): number {
  const s = YAML.isScalar(v) ? String(v.value) : '';
  const ms = parseWireDuration(s);
  if (ms === null || ms <= 0) return fail(v, key, `'${s}' is not a positive duration (e.g. 500ms, 2s, 1h)`);
  return ms;
}

function count(v: unknown, key: string, fail: Reporter, max: number): number {
  const n = YAML.isScalar(v) ? v.value : undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max)
    return fail(v, key, `expected a whole number from 1 to ${max}`);
  return n;
}

const KEYS = 'enabled, dns_servers, timeout, cache_size, cache_ttl, negative_cache_ttl, max_inflight';

export function parseRdnsBlock(v: unknown, keyNode: unknown, fail: Reporter): RdnsSettings {
  if (!YAML.isMap(v)) return fail(v ?? keyNode, 'rdns', 'expected a mapping');
  const r: RdnsSettings = { enabled: true };
  for (const p of v.items) {
    const k = keyName(p.key);
    const key = `rdns.${k}`;
    const val = p.value;
    switch (k) {
      case 'enabled': {
        const b = YAML.isScalar(val) ? val.value : undefined;
        if (typeof b !== 'boolean') fail(val ?? p.key, key, 'expected true or false');
        r.enabled = b as boolean;
        break;
      }
      case 'dns_servers': {
        if (!YAML.isSeq(val)) fail(val ?? p.key, key, 'expected a list of addresses (1.2.3.4, 1.2.3.4:53, [::1]:53)');
        r.servers = (val as YAML.YAMLSeq).items.map((it, i) => {
          const s = YAML.isScalar(it) ? String(it.value) : '';
          if (checkDnsServer(s) === null)
            fail(it, `${key}[${i}]`, `'${s}' is not an IP address with an optional port (1.2.3.4:53, [::1]:53)`);
          return s;
        });
        break;
      }
      case 'timeout':
        r.timeoutMs = durationMs(val ?? p.key, key, fail);
        break;
      case 'cache_ttl':
        r.ttlMs = durationMs(val ?? p.key, key, fail);
        break;
      case 'negative_cache_ttl':
        r.negativeTtlMs = durationMs(val ?? p.key, key, fail);
        break;
      case 'cache_size':
        r.cacheSize = count(val ?? p.key, key, fail, 10_000_000);
        break;
      case 'max_inflight':
        r.maxInflight = count(val ?? p.key, key, fail, 1024);
        break;
      default:
        fail(p.key, key, `unknown key (expected ${KEYS})`);
    }
  }
  return r;
}
