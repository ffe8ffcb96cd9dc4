// Hub management against a fixture hub served over HTTP on loopback (fixture.ts): update, install with
// collection dependencies and data files, list, taint, upgrade, remove and purge, a digest mismatch and an
// interrupted download (nothing installed), a hostile index, and an offline install from Debian's hub folder.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixtureHub, DEBIAN_HUB, filesUnder, interrupted, referenceHub, sha256 } from './fixture.js';
import { HubManager, updateIndex } from '../../src/hub/manager.js';
import { allStates, enabledPath, itemState, readIndex, type HubLayout } from '../../src/hub/state.js';
import { isPicketError } from '../../src/core/errors.js';
import { parseIndex } from '../../src/hub/index-file.js';
import { picket } from '../cli/helpers.js';

const REF = referenceHub();
const skip = REF === null ? 'no reference hub (../shared/hub nor /usr/share/crowdsec/hub)' : false;
let hub: FixtureHub;
let tmp: string;
const DATA = 'bad user agent regexps\n';

function layout(name: string): HubLayout {
  const d = path.join(tmp, name);
  return { hubDir: path.join(d, 'hub'), configDir: path.join(d, 'etc'), dataDir: path.join(d, 'data') };
}

async function fresh(name: string): Promise<{ l: HubLayout; m: HubManager }> {
  const l = layout(name);
  await updateIndex(l, hub.url);
  return { l, m: new HubManager(l, hub.url) };
}

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isPicketError(e, code));
}

before(async () => {
  if (REF === null) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-hub-'));
  hub = new FixtureHub(REF);
  hub.addFile('parsers', 'crowdsecurity/syslog-logs', 'parsers/s00-raw/crowdsecurity/syslog-logs.yaml');
  hub.addFile('parsers', 'crowdsecurity/sshd-logs', 'parsers/s01-parse/crowdsecurity/sshd-logs.yaml');
  hub.addFile('parsers', 'crowdsecurity/dateparse-enrich', 'parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml');
  hub.addFile('scenarios', 'crowdsecurity/ssh-bf', 'scenarios/crowdsecurity/ssh-bf.yaml');
  hub.addFile('scenarios', 'crowdsecurity/ssh-slow-bf', 'scenarios/crowdsecurity/ssh-slow-bf.yaml');
  await hub.start();
  // the data file of http-bad-user-agent is served by the fixture too (no internet in tests)
  hub.addFile(
    'scenarios',
    'crowdsecurity/http-bad-user-agent',
    'scenarios/crowdsecurity/http-bad-user-agent.yaml',
    (t) => t.replace(/source_url: \S+/, `source_url: ${hub.url}/data/bad_user_agents.regex.txt`),
  );
  hub.routes.set('data/bad_user_agents.regex.txt', Buffer.from(DATA));
  hub.addCollection('crowdsecurity/sshd', {
    parsers: ['crowdsecurity/sshd-logs'],
    scenarios: ['crowdsecurity/ssh-bf', 'crowdsecurity/ssh-slow-bf'],
  });
  hub.addCollection('crowdsecurity/linux', {
    parsers: ['crowdsecurity/syslog-logs', 'crowdsecurity/dateparse-enrich'],
    collections: ['crowdsecurity/sshd'],
  });
  hub.addCollection('crowdsecurity/syslog', { parsers: ['crowdsecurity/syslog-logs'] });
  hub.addCollection('crowdsecurity/web', { scenarios: ['crowdsecurity/http-bad-user-agent'] });
  hub.writeIndex();
});

after(async () => {
  if (REF === null) return;
  await hub.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test(
  'install a collection: nested collections, parsers in their stage folders, links into hub_dir',
  { skip },
  async () => {
    const { l, m } = await fresh('install');
    const r = await m.install('collections', ['crowdsecurity/linux']);
    assert.equal(r.changes.filter((c) => c.startsWith('enabled')).length, 7);
    const link = path.join(l.configDir, 'parsers/s01-parse/sshd-logs.yaml');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readlinkSync(link), path.join(l.hubDir, 'parsers/s01-parse/crowdsecurity/sshd-logs.yaml'));
    for (const f of [
      'parsers/s00-raw/syslog-logs.yaml',
      'parsers/s02-enrich/dateparse-enrich.yaml',
      'scenarios/ssh-bf.yaml',
      'scenarios/ssh-slow-bf.yaml',
      'collections/linux.yaml',
      'collections/sshd.yaml',
    ]) {
      assert.ok(fs.existsSync(path.join(l.configDir, f)), f);
    }
    const s = itemState(l, readIndex(l).items.scenarios.get('crowdsecurity/ssh-bf')!);
    assert.deepEqual([s.enabled, s.upToDate, s.tainted, s.localVersion], [true, true, false, '0.1']);
    // installing again changes nothing
    const again = await m.install('collections', ['crowdsecurity/linux']);
    assert.deepEqual(again.changes, []);
  },
);

test("data files are fetched into data_dir; the CLI lists the items in cscli's JSON shape", { skip }, async () => {
  const { l } = await fresh('data');
  const o = ['--hub-dir', l.hubDir, '--config-dir', l.configDir, '--data', l.dataDir, '--url', hub.url];
  const ins = await picket(['collections', 'install', 'crowdsecurity/web', ...o]);
  assert.equal(ins.code, 0, ins.stderr);
  assert.equal(fs.readFileSync(path.join(l.dataDir, 'bad_user_agents.regex.txt'), 'utf8'), DATA);
  const list = await picket(['hub', 'list', '-o', 'json', ...o]);
  assert.equal(list.code, 0, list.stderr);
  const j = JSON.parse(list.stdout) as Record<string, Array<Record<string, string>>>;
  assert.deepEqual(
    j.scenarios.map((i) => [i.name, i.status, i.local_version]),
    [['crowdsecurity/http-bad-user-agent', 'enabled', '0.1']],
  );
  assert.equal(j.collections[0]!.local_path, path.join(l.configDir, 'collections/web.yaml'));
  assert.deepEqual(j.parsers, []);
  const all = JSON.parse((await picket(['parsers', 'list', '-a', '-o', 'json', ...o])).stdout) as Record<
    string,
    Array<Record<string, string>>
  >;
  assert.equal(all.parsers.length, 3);
  assert.ok(all.parsers.every((p) => p.status === 'disabled'));
  const insp = await picket(['scenarios', 'inspect', 'crowdsecurity/http-bad-user-agent', '-o', 'json', ...o]);
  assert.equal(
    (JSON.parse(insp.stdout) as Record<string, unknown>).local_hash,
    sha256(fs.readFileSync(path.join(l.hubDir, 'scenarios/crowdsecurity/http-bad-user-agent.yaml'))),
  );
});

test(
  'a locally modified item is tainted: kept by install and upgrade, removed only with --force',
  { skip },
  async () => {
    const { l, m } = await fresh('taint');
    await m.install('collections', ['crowdsecurity/linux']);
    const file = path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-bf.yaml');
    fs.appendFileSync(file, '\n# my change\n');
    const states = allStates(l, readIndex(l));
    assert.equal(states.get('scenarios:crowdsecurity/ssh-bf')!.tainted, true);
    assert.equal(states.get('scenarios:crowdsecurity/ssh-bf')!.localVersion, '?');
    assert.equal(
      states.get('collections:crowdsecurity/linux')!.tainted,
      true,
      'a collection with a tainted item is tainted',
    );
    const up = await m.upgrade('scenarios', ['crowdsecurity/ssh-bf']);
    assert.match(up.warnings.join('\n'), /tainted/);
    assert.match(fs.readFileSync(file, 'utf8'), /my change/);
    const rm = m.remove('scenarios', ['crowdsecurity/ssh-bf']);
    assert.deepEqual(rm.changes, []);
    assert.ok(fs.existsSync(enabledPath(l, readIndex(l).items.scenarios.get('crowdsecurity/ssh-bf')!)));
    await m.install('scenarios', ['crowdsecurity/ssh-bf'], { force: true });
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /my change/);
    assert.equal(itemState(l, readIndex(l).items.scenarios.get('crowdsecurity/ssh-bf')!).tainted, false);
  },
);

test('upgrade: a new version in the index is reported and installed', { skip }, async () => {
  const { l, m } = await fresh('upgrade');
  await m.install('scenarios', ['crowdsecurity/ssh-slow-bf']);
  const v2 = Buffer.concat([
    hub.routes.get('scenarios/crowdsecurity/ssh-slow-bf.yaml') as Buffer,
    Buffer.from('\n# v0.2\n'),
  ]);
  hub.newVersion('crowdsecurity/ssh-slow-bf', v2);
  hub.writeIndex();
  try {
    await updateIndex(l, hub.url);
    const item = readIndex(l).items.scenarios.get('crowdsecurity/ssh-slow-bf')!;
    const before = itemState(l, item);
    assert.deepEqual([before.upToDate, before.tainted, before.localVersion], [false, false, '0.1']);
    const o = ['--hub-dir', l.hubDir, '--config-dir', l.configDir, '--data', l.dataDir];
    const list = JSON.parse((await picket(['scenarios', 'list', '-o', 'json', ...o])).stdout) as Record<
      string,
      Array<{ status: string }>
    >;
    assert.equal(list.scenarios[0]!.status, 'enabled,update-available');
    const up = await picket(['hub', 'upgrade', ...o]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /downloaded scenarios crowdsecurity\/ssh-slow-bf 0\.2/);
    assert.deepEqual(fs.readFileSync(path.join(l.hubDir, item.path)), v2);
    assert.equal(itemState(l, item).localVersion, '0.2');
  } finally {
    // later tests see a one-version hub again
    hub.routes.set('scenarios/crowdsecurity/ssh-slow-bf.yaml', v2);
  }
});

test('remove keeps what another enabled collection needs; --purge deletes the downloaded file', { skip }, async () => {
  const { l, m } = await fresh('remove');
  await m.install('collections', ['crowdsecurity/linux']);
  await m.install('collections', ['crowdsecurity/syslog']);
  const r = m.remove('collections', ['crowdsecurity/linux'], { purge: true });
  const idx = readIndex(l);
  // syslog-logs stays (the syslog collection needs it); sshd's items go, purged
  assert.ok(itemState(l, idx.items.parsers.get('crowdsecurity/syslog-logs')!).enabled);
  const sshd = itemState(l, idx.items.parsers.get('crowdsecurity/sshd-logs')!);
  assert.deepEqual([sshd.enabled, sshd.downloaded], [false, false]);
  assert.ok(r.changes.includes('purged parsers crowdsecurity/sshd-logs'));
  assert.ok(r.changes.includes('disabled collections crowdsecurity/sshd'));
  await m.install('scenarios', ['crowdsecurity/ssh-bf']);
  const r2 = m.remove('scenarios', ['crowdsecurity/ssh-bf']);
  assert.deepEqual(r2.changes, ['disabled scenarios crowdsecurity/ssh-bf']);
  assert.ok(fs.existsSync(path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-bf.yaml')), 'kept without --purge');
});

test('a digest mismatch installs nothing', { skip }, async () => {
  const { l, m } = await fresh('mismatch');
  const good = hub.routes.get('parsers/s01-parse/crowdsecurity/sshd-logs.yaml') as Buffer;
  hub.routes.set('parsers/s01-parse/crowdsecurity/sshd-logs.yaml', Buffer.concat([good, Buffer.from('# evil\n')]));
  try {
    await rejectsCode(m.install('collections', ['crowdsecurity/sshd']), 'HUB_DIGEST_MISMATCH');
  } finally {
    hub.routes.set('parsers/s01-parse/crowdsecurity/sshd-logs.yaml', good);
  }
  assert.deepEqual(filesUnder(l.configDir), []);
  assert.deepEqual(
    filesUnder(l.hubDir).filter((f) => f !== '.index.json' && f !== '.picket-source'),
    [],
  );
});

test('an interrupted download leaves nothing half-installed', { skip }, async () => {
  const { l, m } = await fresh('interrupted');
  const data = hub.routes.get('data/bad_user_agents.regex.txt')!;
  hub.routes.set('data/bad_user_agents.regex.txt', interrupted);
  try {
    await rejectsCode(m.install('collections', ['crowdsecurity/web']), 'HUB_FETCH_FAILED');
  } finally {
    hub.routes.set('data/bad_user_agents.regex.txt', data);
  }
  assert.deepEqual(filesUnder(l.configDir), []);
  assert.deepEqual(filesUnder(l.dataDir), []);
  assert.deepEqual(
    filesUnder(l.hubDir).filter((f) => f !== '.index.json' && f !== '.picket-source'),
    [],
  );
  // the same install succeeds once the file is served whole
  await m.install('collections', ['crowdsecurity/web']);
  assert.equal(fs.readFileSync(path.join(l.dataDir, 'bad_user_agents.regex.txt'), 'utf8'), DATA);
});

test('a hostile or broken index is refused, naming the item', () => {
  const bad = (idx: unknown) => () => parseIndex(JSON.stringify(idx), 'idx');
  const v = { '0.1': { digest: 'a'.repeat(64) } };
  assert.throws(
    bad({ parsers: { 'a/b': { path: '../../etc/passwd.yaml', version: '0.1', versions: v } } }),
    /parsers 'a\/b': path/,
  );
  assert.throws(
    bad({ scenarios: { 'a/b': { path: 'scenarios/a/b.yaml', version: '0.2', versions: v } } }),
    /version 0.2 is not in versions/,
  );
  assert.throws(
    bad({ scenarios: { 'a/b': { path: 'scenarios/a/b.yaml', version: '0.1', versions: { '0.1': { digest: 'x' } } } } }),
    /digest/,
  );
  assert.throws(
    () => parseIndex('{', 'idx'),
    (e: unknown) => isPicketError(e, 'HUB_BAD_INDEX'),
  );
  assert.equal(parseIndex(JSON.stringify({ 'appsec-rules': {}, scenarios: {} }), 'idx').items.scenarios.size, 0);
});

test('unknown items and missing dependencies are named', { skip }, async () => {
  const { m } = await fresh('unknown');
  await rejectsCode(m.install('scenarios', ['nobody/nothing']), 'HUB_UNKNOWN_ITEM');
  const l = layout('noindex');
  assert.throws(
    () => new HubManager(l, hub.url).index,
    (e: unknown) => isPicketError(e, 'HUB_NO_INDEX'),
  );
});

test("offline install from Debian's hub folder (and a fixture hub folder)", async (t) => {
  const folder = path.join(tmp ?? fs.mkdtempSync(path.join(os.tmpdir(), 'picket-hub-')), 'folder-hub');
  if (REF !== null) {
    hub.writeFolder(folder);
    const l = layout('folder');
    await updateIndex(l, `file://${folder}`);
    await new HubManager(l, folder).install('collections', ['crowdsecurity/linux']);
    assert.ok(fs.existsSync(path.join(l.configDir, 'scenarios/ssh-bf.yaml')));
  }
  if (!fs.existsSync(path.join(DEBIAN_HUB, '.index.json'))) {
    t.skip(`${DEBIAN_HUB}/.index.json is missing (Debian's crowdsec package)`);
    return;
  }
  const l = layout('debian');
  await updateIndex(l, DEBIAN_HUB);
  const r = await new HubManager(l, DEBIAN_HUB).install('collections', ['crowdsecurity/linux']);
  assert.ok(r.changes.includes('enabled scenarios crowdsecurity/ssh-bf'));
  const s = itemState(l, readIndex(l).items.scenarios.get('crowdsecurity/ssh-bf')!);
  assert.deepEqual([s.enabled, s.upToDate, s.tainted], [true, true, false]);
});

test(
  'the CLI: tainted in -o raw/json, remove refused without --force, --purge deletes the download',
  { skip },
  async () => {
    const { l } = await fresh('cli-flags');
    const o = ['--hub-dir', l.hubDir, '--config-dir', l.configDir, '--data', l.dataDir, '--url', hub.url];
    const ins = await picket(['collections', 'install', 'crowdsecurity/sshd', ...o]);
    assert.equal(ins.code, 0, ins.stderr);
    const file = path.join(l.hubDir, 'scenarios/crowdsecurity/ssh-bf.yaml');
    fs.appendFileSync(file, '\n# my change\n');
    const raw = await picket(['scenarios', 'list', '-o', 'raw', ...o]);
    assert.equal(raw.code, 0, raw.stderr);
    const rows = raw.stdout.trim().split('\n');
    assert.equal(rows[0], 'name,status,version,description,type');
    // cscli's CSV: the status "enabled,tainted" quoted, the local version of a tainted item is "?"
    assert.ok(
      rows.includes('crowdsecurity/ssh-bf,"enabled,tainted",?,fixture crowdsecurity/ssh-bf,scenarios'),
      raw.stdout,
    );
    const j = JSON.parse(
      (await picket(['scenarios', 'inspect', 'crowdsecurity/ssh-bf', '-o', 'json', ...o])).stdout,
    ) as {
      tainted: boolean;
    };
    assert.equal(j.tainted, true);
    const kept = await picket(['scenarios', 'remove', 'crowdsecurity/ssh-bf', '--purge', ...o]);
    assert.match(kept.stdout + kept.stderr, /tainted/);
    assert.ok(fs.existsSync(file), 'a tainted item is kept without --force');
    assert.ok(fs.existsSync(path.join(l.configDir, 'scenarios/ssh-bf.yaml')));
    const gone = await picket(['scenarios', 'remove', 'crowdsecurity/ssh-bf', '--purge', '--force', ...o]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.ok(!fs.existsSync(path.join(l.configDir, 'scenarios/ssh-bf.yaml')), 'disabled with --force');
    assert.ok(!fs.existsSync(file), 'the download deleted with --purge');
  },
);
