// Conformance (b): the real crowdsec-firewall-bouncer (nftables mode), in a network namespace of its own
// (`unshare -n`; the host's firewall is never touched), puts an added IPv4 and IPv6 ban into its nft sets (and a
// ban that existed before it started) and removes them once the decisions are deleted. Its 127.0.0.1:PORT is
// bridged to the host LAPI by a unix socket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bridge } from './harness/bridge.js';
import { runCommand, startProcess, waitFor } from './harness/proc.js';
import { skipReason, withLapi } from './harness/suite.js';

const BRIDGE_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'harness', 'bridge.js');
const V4 = '192.0.2.131';
const V6 = '2001:db8::131';
const PRE = '192.0.2.132';

/** Why network namespaces or nftables cannot be used here, or undefined. */
async function namespaceUnavailable(): Promise<string | undefined> {
  const r = await runCommand('unshare', ['-n', 'sh', '-c', 'ip link set lo up && nft list ruleset'], {
    timeoutMs: 10_000,
  });
  return r.code === 0
    ? undefined
    : `unshare -n / nft not permitted here (exit ${r.code}: ${r.stderr.trim().slice(0, 200)})`;
}

function elementIn(ruleset: string, table: string, value: string): boolean {
  const start = ruleset.indexOf(`table ${table} {`);
  if (start < 0) return false;
  const end = ruleset.indexOf('\ntable ', start + 1);
  const body = ruleset.slice(start, end < 0 ? undefined : end);
  return new RegExp(`[{ ,]${value.replace(/\./g, '\\.')}[ ,}\\n]`).test(body);
}

test(
  'firewall bouncer (nftables, private netns): IPv4 and IPv6 bans enter the nft sets and leave after deletion',
  { skip: skipReason('crowdsec-firewall-bouncer', 'nft', 'unshare', 'nsenter', 'ip') },
  async (t) => {
    const unavailable = await namespaceUnavailable();
    if (unavailable) {
      t.skip(unavailable);
      return;
    }
    await withLapi(async (target, proxy) => {
      const dir = path.join(target.dir, 'fw');
      fs.mkdirSync(dir);
      const sock = path.join(dir, 'lapi.sock');
      const hostSide: net.Server = await bridge(sock, `127.0.0.1:${proxy.port}`);
      try {
        const key = await target.addBouncer('conformance-fw');
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
            api_url: `http://127.0.0.1:${target.port}/`,
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
        const script = path.join(dir, 'in-netns.sh');
        fs.writeFileSync(
          script,
          [
            '#!/bin/sh',
            'set -e',
            'ip link set lo up',
            `'${process.execPath}' '${BRIDGE_JS}' 127.0.0.1:${target.port} '${sock}' > '${dir}/bridge.out' 2>&1 &`,
            `for i in $(seq 1 50); do grep -q ready '${dir}/bridge.out' && break; sleep 0.1; done`,
            `exec crowdsec-firewall-bouncer -c '${config}'`,
            '',
          ].join('\n'),
          { mode: 0o755 },
        );
        await target.addDecision(PRE, '5m'); // before the bouncer starts: comes with the startup snapshot
        const ns = startProcess('fw-netns', 'unshare', ['-n', script], { logDir: dir });
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
          `--- nft ruleset in the namespace ---\n${await ruleset().catch((e: Error) => e.message)}\n--- bouncer log ---\n${ns.tail(15)}\n--- exchanges ---\n${proxy.dump(6)}`;
        const waitRules = (what: string, ok: (rs: string) => boolean): Promise<unknown> =>
          waitFor(what, 25_000, async () => ok(await ruleset())).catch(async (err: Error) => {
            throw new Error(`${err.message}\n${await context()}`);
          });

        await waitRules(
          'the bouncer to create its tables',
          (rs) => rs.includes('table ip crowdsec') && rs.includes('table ip6 crowdsec6'),
        );
        await waitRules(`${PRE} (added before the bouncer started) in ip crowdsec`, (rs) =>
          elementIn(rs, 'ip crowdsec', PRE),
        );
        await waitFor('two stream pulls', 20_000, () => proxy.find('GET /v1/decisions/stream').length >= 2);
        await target.addDecision(V4, '5m');
        await target.addDecision(V6, '5m');
        await waitRules(
          `${V4} in ip crowdsec and ${V6} in ip6 crowdsec6`,
          (rs) => elementIn(rs, 'ip crowdsec', V4) && elementIn(rs, 'ip6 crowdsec6', V6),
        );
        const rs = await ruleset();
        const timeout = new RegExp(`${V4.replace(/\./g, '\\.')} timeout (\\d+)m`).exec(rs);
        assert.ok(
          timeout && Number(timeout[1]) >= 4 && Number(timeout[1]) <= 5,
          `element timeout follows the 5m decision:\n${rs}`,
        );
        assert.ok(
          !elementIn(rs, 'ip6 crowdsec6', V4) && !elementIn(rs, 'ip crowdsec', V6),
          `each address in its family's set only:\n${rs}`,
        );

        await target.deleteDecision(V4);
        await target.deleteDecision(V6);
        await waitRules(
          `${V4} and ${V6} to leave the sets`,
          (r) => !elementIn(r, 'ip crowdsec', V4) && !elementIn(r, 'ip6 crowdsec6', V6),
        );
        const after = await ruleset();
        assert.ok(elementIn(after, 'ip crowdsec', PRE), `${PRE} (not deleted) stays:\n${after}`);
        assert.deepEqual(
          [...new Set(proxy.find('GET /v1/decisions/stream').map((e) => e.status))],
          [200],
          proxy.dump(4),
        );
        await ns.stop();
      } finally {
        hostSide.close();
      }
    });
  },
);
