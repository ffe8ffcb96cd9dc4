// packaging/picket.service: systemd accepts it (systemd-analyze verify, with ExecStart pointed at this checkout),
// SIGHUP (its ExecReload) re-reads the profiles without stopping, it restarts, and it keeps its hardening options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, BIN, eventually, startPicket } from '../cli/helpers.js';
import { which } from '../conformance/harness/proc.js';

const UNIT = path.join(ROOT, 'packaging/picket.service');

test('the systemd unit has reload, restart and hardening options', () => {
  const text = fs.readFileSync(UNIT, 'utf8');
  for (const line of [
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=always',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ReadWritePaths=/var/lib/crowdsec /etc/crowdsec',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'Conflicts=crowdsec.service',
  ]) {
    assert.ok(text.split('\n').includes(line), line);
  }
  assert.match(text, /^CapabilityBoundingSet=.+$/m);
  assert.match(text, /^ExecStart=\/usr\/bin\/picket run --config \/etc\/crowdsec\/config\.yaml$/m);
});

test(
  'systemd-analyze verify accepts the unit',
  { skip: which('systemd-analyze') !== undefined ? false : 'systemd-analyze is missing' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-unit-'));
    try {
      const f = path.join(dir, 'picket.service');
      fs.writeFileSync(f, fs.readFileSync(UNIT, 'utf8').replace('/usr/bin/picket', `${process.execPath} ${BIN}`));
      const r = spawnSync('systemd-analyze', ['verify', f], { encoding: 'utf8', timeout: 30_000 });
      const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('picket.service'));
      assert.deepEqual(problems, [], problems.join('\n'));
      assert.equal(r.status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('SIGHUP (systemctl reload) re-reads the profiles: picket run keeps running and says so', async () => {
  const run = await startPicket(['--no-agent', '--metrics', 'off']);
  try {
    assert.equal(run.child.exitCode, null, `picket run exited before the SIGHUP:\n${run.stderr()}`);
    run.child.kill('SIGHUP');
    await eventually(async () => /SIGHUP: profiles reloaded from /.test(run.stderr()), 'the reload line');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(run.child.exitCode, null, `picket run exited after the SIGHUP:\n${run.stderr()}`);
    assert.equal(run.child.signalCode, null, run.stderr());
    assert.doesNotMatch(run.stderr(), /stopped \(SIGHUP\)/);
  } finally {
    // (a child killed by the signal has exitCode null: stop() would wait for an exit already gone)
    if (run.child.exitCode === null && run.child.signalCode === null) await run.stop();
    fs.rmSync(run.dir, { recursive: true, force: true });
  }
});
