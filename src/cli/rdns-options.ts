// Reverse DNS options of `picket run` and `picket replay`: `--no-rdns` and `--dns-server ADDR` over the config
// file's `rdns:` block (src/config/rdns.ts), over the environment's PICKET_RDNS=off (test suites, CI without
// DNS), over the default: on, with the system's resolvers. Owns that precedence and the help text.

import { CliError } from './command.js';
import { checkDnsServer, type RdnsSettings } from '../config/rdns.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';
import { ConfigError, loadConfigFile } from '../config/config.js';

export const RDNS_HELP = `  --no-rdns        no reverse DNS: the reverse_dns enricher (postoverflow crowdsecurity/rdns, used by
                   seo-bots-whitelist) yields nothing (default: on; config rdns.enabled; PICKET_RDNS=off)
  --dns-server A   DNS server for reverse lookups (repeatable; 1.2.3.4, 1.2.3.4:53, [::1]:53; default: config
                   rdns.dns_servers, else the system's)`;

export const RDNS_FLAGS = {
  'no-rdns': { type: 'boolean' },
  'dns-server': { type: 'string', multiple: true },
} as const;

/** the settings for the pipeline (null: off) */
export function rdnsOption(
  values: { 'no-rdns'?: unknown; 'dns-server'?: unknown },
  configured: RdnsSettings | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Partial<RdnsOptions> | null {
  const servers = (values['dns-server'] as string[] | undefined) ?? [];
  for (const s of servers) {
    if (checkDnsServer(s) === null)
      throw new CliError(`--dns-server ${s}: expected an IP address with an optional port (1.2.3.4:53, [::1]:53)`);
  }
  if (values['no-rdns'] === true) {
    if (servers.length) throw new CliError('--no-rdns and --dns-server contradict each other');
    return null;
  }
  if (servers.length === 0) {
    if (configured && !configured.enabled) return null;
    if (!configured && (env.PICKET_RDNS ?? '').toLowerCase() === 'off') return null;
  }
  const o: Partial<RdnsOptions> = {};
  if (configured) {
    const { enabled: _enabled, ...rest } = configured;
    Object.assign(o, rest);
  }
  if (servers.length) o.servers = servers;
  return o;
}

/** the `rdns:` block of `--config FILE` (replay: only when a config file is named) */
export function configRdns(configFile: string): RdnsSettings | undefined {
  try {
    return loadConfigFile(configFile).rdns;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}
