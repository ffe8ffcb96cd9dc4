// The real crowdsec-firewall-bouncer (nftables mode) in a private network namespace (`unshare -n`: the host's
// firewall is never touched), reaching a LAPI on the host's 127.0.0.1:PORT through a unix-socket bridge
// (bridge.ts; filesystem sockets cross namespaces): inside the namespace the bouncer talks to 127.0.0.1:PORT too.
// Owns: the namespace check, the bouncer's config file, starting it, reading its nft ruleset and waiting on it.

import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bridge } from './bridge.js';
import { runCommand, startProcess, waitFor, type Spawned } from './proc.js';

const BRIDGE_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bridge.js');
/** the binaries a firewall-bouncer test needs (for skipReason) */
export const FIREWALL_BINARIES = ['crowdsec-firewall-bouncer', 'nft', 'unshare', 'nsenter', 'ip'];

/** Why network namespaces or nftables cannot be used here, or undefined. */
export async function namespaceUnavailable(): Promise<string | undefined> {
  const r = await runCommand('unshare', ['-n', 'sh', '-c', 'ip link set lo up && nft list ruleset'], {
    timeoutMs: 10_000,
  });
  return r.code === 0
    ? undefined
    : `unshare -n / nft not permitted here (exit ${r.code}: ${r.stderr.trim().slice(0, 200)})`;
}

/** Whether `value` is an element of the set(s) of nft table `table` (e.g. 'ip crowdsec') in `ruleset`. */
export function elementIn(ruleset: string, table: string, value: string): boolean {
  const start = ruleset.indexOf(`table ${table} {`);
  if (start < 0) return false;
  const end = ruleset.indexOf('\ntable ', start + 1);
  const body = ruleset.slice(start, end < 0 ? undefined : end);
  return new RegExp(`[{ ,]${value.replace(/\./g, '\\.')}[ ,}\\n]`).test(body);
}

/** Writes the bouncer's config (Debian's defaults in nftables mode, both families) into `dir`; returns its path. */
export function writeFirewallConfig(dir: string, apiUrl: string, key: string): string {
  const config = path.join(dir, 'fw-bouncer.yaml');
  fs.writeFileSync(
    config,
    stringify({
      mode: 'nftables',
      pid_dir: dir + '/',
      update_frequency: '1s',
      daemonize: false,
      log_mode: 'stdout',
      log_dir: dir + '/',
      log_level: 'debug',
      api_url: apiUrl,
      api_key: key,
      insecure_skip_verify: false,
      disable_ipv6: false,
      deny_action: 'DROP',
      deny_log: false,
      supported_decisions_types: ['ban'],
      blacklists_ipv4: 'crowdsec-blacklists',
      blacklists_ipv6: 'crowdsec6-blacklists',
      ipset_type: 'nethash',
      iptables_chains: ['INPUT'],
      nftables: {
        ipv4: { enabled: true, 'set-only': false, table: 'crowdsec', chain: 'crowdsec-chain' },
        ipv6: { enabled: true, 'set-only': false, table: 'crowdsec6', chain: 'crowdsec6-chain' },
      },
      prometheus: { enabled: false, listen_addr: '127.0.0.1', listen_port: 60601 },
    }),
    { mode: 0o600 },
  );
  return config;
}

/** The host side of the bridge: a unix socket in `dir` piped to the host's 127.0.0.1:`port`. */
export async function hostBridge(dir: string, port: number): Promise<{ sock: string; server: net.Server }> {
  const sock = path.join(dir, 'lapi.sock');
  return { sock, server: await bridge(sock, `127.0.0.1:${port}`) };
}

export interface FirewallBouncer {
  readonly ns: Spawned;
  /** `nft list ruleset` inside its namespace (throws once the bouncer has exited) */
  ruleset(): Promise<string>;
  /** waits (25 s) until `ok(ruleset)`; the error shows the ruleset, the bouncer's log and `extra()` */
  waitRules(what: string, ok: (rs: string) => boolean): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the bouncer with `config` in a new network namespace whose 127.0.0.1:`port` is bridged to `sock`
 * (hostBridge). `name` names its log file in `dir`; `extra` adds context to a failed wait (e.g. a proxy dump).
 */
export function startFirewallBouncer(
  o: { dir: string; name: string; config: string; sock: string; port: number },
  extra: () => string = () => '',
): FirewallBouncer {
  const script = path.join(o.dir, `${o.name}.sh`);
  const out = path.join(o.dir, `${o.name}-bridge.out`);
  fs.writeFileSync(
    script,
    [
      '#!/bin/sh',
      'set -e',
      'ip link set lo up',
      `'${process.execPath}' '${BRIDGE_JS}' 127.0.0.1:${o.port} '${o.sock}' > '${out}' 2>&1 &`,
      `for i in $(seq 1 50); do grep -q ready '${out}' && break; sleep 0.1; done`,
      `exec crowdsec-firewall-bouncer -c '${o.config}'`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const ns = startProcess(o.name, 'unshare', ['-n', script], { logDir: o.dir });
  let exit: number | string | undefined;
  void ns.exited.then((c) => {
    exit = c;
  });
  const ruleset = async (): Promise<string> => {
    if (exit !== undefined) throw new Error(`firewall bouncer exited (${exit}):\n${ns.tail(20)}`);
    const r = await runCommand('nsenter', ['-t', String(ns.pid), '-n', 'nft', 'list', 'ruleset'], {
      timeoutMs: 10_000,
    });
    return r.stdout;
  };
  const context = async (): Promise<string> =>
    `--- nft ruleset in the namespace ---\n${await ruleset().catch((e: Error) => e.message)}\n` +
    `--- bouncer log ---\n${ns.tail(15)}\n${extra()}`;
  return {
    ns,
    ruleset,
    waitRules: async (what, ok) => {
      await waitFor(what, 25_000, async () => ok(await ruleset())).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await context()}`);
      });
    },
    stop: () => ns.stop(),
  };
}
