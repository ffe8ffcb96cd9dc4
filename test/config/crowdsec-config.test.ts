// CrowdSec's config.yaml read by Picket (src/config/crowdsec.ts): the keys that apply are mapped, the others
// named; Picket's own file keeps working; `picket run --config <copy of Debian's config.yaml>` loads the items
// enabled under config_dir (installed here from Debian's hub folder) with their data in data_dir, follows the
// acquisition file and raises alerts carrying the hub version.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, ConfigError } from '../../src/config/config.js';
import { debianAvailable, debianCopy, DEBIAN_ETC } from './debian-copy.js';
import { picket, startPicket, eventually } from '../cli/helpers.js';

const DEBIAN_HUB = '/usr/share/crowdsec/hub';

test("Debian's config.yaml: the keys Picket uses, and the ignored ones by name", { skip: debianAvailable() }, () => {
  const c = parseConfig(fs.readFileSync(path.join(DEBIAN_ETC, 'config.yaml'), 'utf8'), 'config.yaml');
  assert.equal(c.format, 'crowdsec');
  assert.equal(c.configDir, '/etc/crowdsec/');
  assert.equal(c.dataDir, '/var/lib/crowdsec/data/');
  assert.equal(c.hubDir, '/var/lib/crowdsec/hub/');
  assert.equal(c.listen, '127.0.0.1:8080');
  assert.equal(c.profilesPath, '/etc/crowdsec/profiles.yaml');
  assert.deepEqual(c.trustedIps, ['127.0.0.1', '::1']);
  assert.equal(c.onlineCredentialsPath, '/etc/crowdsec/online_api_credentials.yaml');
  assert.equal(c.dbPath, '/var/lib/crowdsec/data/crowdsec.db');
  assert.deepEqual(c.retention, { maxAgeMs: 7 * 24 * 3600 * 1000, maxItems: 5000 });
  assert.equal(c.metricsListen, '127.0.0.1:6060');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.acquisitionFiles?.[0], '/etc/crowdsec/acquis.yaml');
  for (const k of [
    'common.daemonize',
    'plugin_config.user',
    'db_config.type',
    'api.server.log_level',
    'crowdsec_service.parser_routines',
  ]) {
    assert.ok(c.ignored?.includes(k), `${k} listed as ignored: ${c.ignored?.join(', ')}`);
  }
  assert.ok(!c.ignored?.includes('api.server.listen_uri'));
  // online_client and console_path (its share_* switches) feed the crowd client
  assert.ok(!c.ignored?.includes('api.server.console_path'));
  assert.equal(c.onlineClient?.credentialsPath, '/etc/crowdsec/online_api_credentials.yaml');
  assert.equal(c.onlineClient?.sharing, 'minimal');
});

test("CrowdSec format: tls, prometheus off, bad values named with their line; Picket's own format unchanged", () => {
  const c = parseConfig(
    `api:\n  server:\n    listen_uri: 0.0.0.0:8081\n    tls:\n      cert_file: /c.pem\n      key_file: /k.pem\n` +
      `      bouncers_allowed_ou: [bouncer-ou]\nprometheus:\n  enabled: false\n`,
    'cs.yaml',
  );
  assert.deepEqual(c.tls, { certFile: '/c.pem', keyFile: '/k.pem', bouncersAllowedOu: ['bouncer-ou'] });
  assert.equal(c.metricsListen, 'off');
  assert.throws(
    () => parseConfig('db_config:\n  flush:\n    max_age: soon\n', 'cs.yaml'),
    (e: unknown) => e instanceof ConfigError && /cs\.yaml:3: db_config\.flush\.max_age/.test(e.message),
  );
  const p = parseConfig('data_dir: /d\nhub_dir: /h\nconfig_dir: /e\nhub_url: http://127.0.0.1:1/hub\n', 'p.yaml');
  assert.deepEqual(
    [p.format, p.hubDir, p.configDir, p.hubUrl, p.ignored],
    [undefined, '/h', '/e', 'http://127.0.0.1:1/hub', undefined],
  );
  assert.throws(() => parseConfig('hub_dirr: /h\n', 'p.yaml'), /p\.yaml:1: hub_dirr: unknown key/);
});

test("picket run --config <copy of Debian's config.yaml> loads the enabled hub items and alerts", async (t) => {
  const why =
    debianAvailable() ||
    (fs.existsSync(path.join(DEBIAN_HUB, '.index.json')) ? false : `${DEBIAN_HUB}/.index.json is missing`);
  if (why) {
    t.skip(why);
    return;
  }
  const d = debianCopy('picket-csconf-');
  try {
    const upd = await picket(['hub', 'update', '--config', d.config, '--url', DEBIAN_HUB]);
    assert.equal(upd.code, 0, upd.stderr);
    const ins = await picket(['collections', 'install', 'crowdsecurity/linux', '--config', d.config]);
    assert.equal(ins.code, 0, ins.stderr);
    assert.ok(fs.lstatSync(path.join(d.etc, 'scenarios/ssh-bf.yaml')).isSymbolicLink());
    const run = await startPicket(['--config', d.config, '--metrics', 'off', '--workers', '0', '-o', 'json'], d.dir);
    try {
      assert.match(run.stderr(), /settings Picket does not use: .*common\.daemonize/);
      await eventually(async () => run.stderr().includes(`content ${d.etc},`), 'the content line');
      // lines keep coming until the tailer (started after the LAPI) has seen enough of them
      let n = 0;
      const out = await eventually(async () => {
        const line = (i: number) =>
          `Dec  7 10:00:0${i % 10} host sshd[1]: Failed password for invalid user u${i} from 192.0.2.9 port 4242 ssh2\n`;
        fs.appendFileSync(d.logFile, [0, 1, 2].map(() => line(n++)).join(''));
        return run
          .stdout()
          .split('\n')
          .find((x) => x.includes('crowdsecurity/ssh-bf'));
      }, 'an ssh-bf alert').catch((e: Error) => {
        throw new Error(`${e.message}\n${run.stderr()}`);
      });
      const a = JSON.parse(out) as { scenario_version: string; scenario_hash: string; source: { value: string } };
      assert.equal(a.source.value, '192.0.2.9');
      assert.equal(a.scenario_version, '0.1');
      assert.match(a.scenario_hash, /^[0-9a-f]{64}$/);
    } finally {
      await run.stop();
    }
  } finally {
    fs.rmSync(d.dir, { recursive: true, force: true });
  }
});
