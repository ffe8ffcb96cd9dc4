// Conformance (b): the real crowdsec-firewall-bouncer (nftables mode), in a network namespace of its own
// (`unshare -n`; the host's firewall is never touched), puts an added IPv4 and IPv6 ban into its nft sets (and a
// ban that existed before it started) and removes them once the decisions are deleted. Its 127.0.0.1:PORT is
// bridged to the host LAPI by a unix socket (harness/firewall-bouncer.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  elementIn,
  FIREWALL_BINARIES,
  hostBridge,
  namespaceUnavailable,
  startFirewallBouncer,
  writeFirewallConfig,
} from './harness/firewall-bouncer.js';
import { waitFor } from './harness/proc.js';
import { skipReason, withLapi } from './harness/suite.js';

const V4 = '192.0.2.131';
const V6 = '2001:db8::131';
const PRE = '192.0.2.132';

test(
  'firewall bouncer (nftables, private netns): IPv4 and IPv6 bans enter the nft sets and leave after deletion',
  { skip: skipReason(...FIREWALL_BINARIES) },
  async (t) => {
    const unavailable = await namespaceUnavailable();
    if (unavailable) {
      t.skip(unavailable);
      return;
    }
    await withLapi(async (target, proxy) => {
      const dir = path.join(target.dir, 'fw');
      fs.mkdirSync(dir);
      const host = await hostBridge(dir, proxy.port);
      try {
        const key = await target.addBouncer('conformance-fw');
        const config = writeFirewallConfig(dir, `http://127.0.0.1:${target.port}/`, key);
        await target.addDecision(PRE, '5m'); // before the bouncer starts: comes with the startup snapshot
        const fw = startFirewallBouncer(
          { dir, name: 'fw-netns', config, sock: host.sock, port: target.port },
          () => `--- exchanges ---\n${proxy.dump(6)}`,
        );
        await fw.waitRules(
          'the bouncer to create its tables',
          (rs) => rs.includes('table ip crowdsec') && rs.includes('table ip6 crowdsec6'),
        );
        await fw.waitRules(`${PRE} (added before the bouncer started) in ip crowdsec`, (rs) =>
          elementIn(rs, 'ip crowdsec', PRE),
        );
        await waitFor('two stream pulls', 20_000, () => proxy.find('GET /v1/decisions/stream').length >= 2);
        await target.addDecision(V4, '5m');
        await target.addDecision(V6, '5m');
        await fw.waitRules(
          `${V4} in ip crowdsec and ${V6} in ip6 crowdsec6`,
          (rs) => elementIn(rs, 'ip crowdsec', V4) && elementIn(rs, 'ip6 crowdsec6', V6),
        );
        const rs = await fw.ruleset();
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
        await fw.waitRules(
          `${V4} and ${V6} to leave the sets`,
          (r) => !elementIn(r, 'ip crowdsec', V4) && !elementIn(r, 'ip6 crowdsec6', V6),
        );
        const after = await fw.ruleset();
        assert.ok(elementIn(after, 'ip crowdsec', PRE), `${PRE} (not deleted) stays:\n${after}`);
        assert.deepEqual(
          [...new Set(proxy.find('GET /v1/decisions/stream').map((e) => e.status))],
          [200],
          proxy.dump(4),
        );
        await fw.stop();
      } finally {
        host.server.close();
      }
    });
  },
);
