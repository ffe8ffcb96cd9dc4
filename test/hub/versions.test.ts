// Enabled hub items are what `picket run` loads from config_dir, and their scenarios carry the hub hash and
// version into alerts: installed -> sha256 + the index version, tainted -> version '?', custom (a plain file)
// -> empty hash and version (the crowd client's certified / tainted / custom classes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixtureHub, referenceHub, sha256 } from './fixture.js';
import { HubManager, updateIndex } from '../../src/hub/manager.js';
import { loadContent } from '../../src/pipeline/content.js';

const REF = referenceHub();

test(
  'scenarios loaded from config_dir carry their hub hash and version',
  { skip: REF === null ? 'no reference hub' : false },
  async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-hubver-'));
    try {
      const hub = new FixtureHub(REF!);
      hub.addFile('parsers', 'crowdsecurity/syslog-logs', 'parsers/s00-raw/crowdsecurity/syslog-logs.yaml');
      hub.addFile('parsers', 'crowdsecurity/sshd-logs', 'parsers/s01-parse/crowdsecurity/sshd-logs.yaml');
      hub.addFile('scenarios', 'crowdsecurity/ssh-bf', 'scenarios/crowdsecurity/ssh-bf.yaml');
      hub.addFile('scenarios', 'crowdsecurity/ssh-slow-bf', 'scenarios/crowdsecurity/ssh-slow-bf.yaml');
      hub.writeIndex();
      const folder = path.join(tmp, 'source');
      hub.writeFolder(folder);
      const l = { hubDir: path.join(tmp, 'hub'), configDir: path.join(tmp, 'etc'), dataDir: path.join(tmp, 'data') };
      await updateIndex(l, folder);
      await new HubManager(l, folder).install('scenarios', ['crowdsecurity/ssh-bf', 'crowdsecurity/ssh-slow-bf']);
      await new HubManager(l, folder).install('parsers', ['crowdsecurity/syslog-logs', 'crowdsecurity/sshd-logs']);
      fs.cpSync(path.join(REF!, 'patterns'), path.join(l.configDir, 'patterns'), { recursive: true });
      fs.appendFileSync(path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-slow-bf.yaml'), '\n# local edit\n');
      const custom = fs
        .readFileSync(path.join(REF!, 'scenarios/crowdsecurity/ssh-bf.yaml'), 'utf8')
        .replaceAll('crowdsecurity/ssh-bf', 'me/ssh-custom');
      fs.writeFileSync(path.join(l.configDir, 'scenarios/custom.yaml'), custom);

      const c = loadContent({
        contentDir: l.configDir,
        dataDir: l.dataDir,
        hubDir: l.hubDir,
        timeMachine: true,
        year: 2026,
      });
      const by = (n: string) => c.scenarios.byName.get(n)!;
      const bf = fs.readFileSync(path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-bf.yaml'));
      assert.deepEqual([by('crowdsecurity/ssh-bf').hash, by('crowdsecurity/ssh-bf').version], [sha256(bf), '0.1']);
      const slow = by('crowdsecurity/ssh-slow-bf');
      assert.equal(slow.version, '?');
      assert.equal(slow.hash, sha256(fs.readFileSync(path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-slow-bf.yaml'))));
      assert.deepEqual([by('me/ssh-custom').hash, by('me/ssh-custom').version], ['', '']);
      assert.deepEqual(
        c.set.parsers.map((p) => p.stage),
        ['s00-raw', 's01-parse'],
      );
      assert.equal(c.set.dataDir, l.dataDir);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
);
