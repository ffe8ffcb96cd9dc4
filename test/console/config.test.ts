// The console's config block: `console: {enabled, listen}` parsed strictly (unknown key, non-boolean enabled,
// bad address refused with file, line and key), `report.notify` (alias of report.notification); on by default
// only on a loopback address (its own, else the LAPI's); and `picket run` serving it on its own listener (the
// LAPI's listener then has no /ui) or not at all with `enabled: false`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, ConfigError } from '../../src/config/config.js';
import { planConsole } from '../../src/cli/run-console.js';
import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore, DEFAULT_RETENTION } from '../../src/store/lapi-store.js';
import { AllowlistStore } from '../../src/store/allowlists.js';
import { startPicket, tempDir, eventually, type RunningPicket } from '../cli/helpers.js';

test('config: console keys, report.notify; errors name the file, line and key', () => {
  const c = parseConfig('listen: 0.0.0.0:8080\nconsole:\n  enabled: true\n  listen: "[::1]:8081"\n', 'c.yaml');
  assert.deepEqual(c.console, { enabled: true, listen: '[::1]:8081' });
  assert.deepEqual(parseConfig('console: {}\n', 'c.yaml').console, {});
  const r = parseConfig('report:\n  schedule: monthly\n  output_dir: /r\n  notify: ops\n', 'c.yaml');
  assert.equal(r.report?.notification, 'ops');
  const bad: [string, RegExp][] = [
    [
      'console:\n  enabled: true\n  port: 8081\n',
      /^c\.yaml:3: console\.port: unknown key \(expected enabled, listen\)/,
    ],
    ['console:\n  enabled: yes please\n', /^c\.yaml:2: console\.enabled: expected true or false/],
    ['console:\n  listen: 8081\n', /^c\.yaml:2: console\.listen: '8081': expected HOST:PORT/],
    ['console:\n  listen: "127.0.0.1:99999"\n', /^c\.yaml:2: console\.listen: '127\.0\.0\.1:99999'/],
    ['console: on\n', /^c\.yaml:1: console: expected a mapping/],
    [
      'report:\n  schedule: monthly\n  output_dir: /r\n  notify: a\n  notification: b\n',
      /^c\.yaml:5: report\.notification: notify and notification are the same key/,
    ],
  ];
  for (const [text, re] of bad)
    assert.throws(
      () => parseConfig(text, 'c.yaml'),
      (e) => e instanceof ConfigError && re.test(e.message),
      text,
    );
});

test('on by default only on a loopback address: its own, else the LAPI one', async () => {
  const dir = tempDir('picket-console-plan-');
  const env = openStore(dir);
  const store = openLapiStore(env);
  try {
    const plan = (lapiHost: string, console?: { enabled?: boolean; listen?: string }) =>
      planConsole(env, {
        lapiListen: { host: lapiHost, port: 8080 },
        config: { file: null, ...(console ? { console } : {}) },
        store,
        allowlists: new AllowlistStore(env),
        retention: DEFAULT_RETENTION,
        log: () => undefined,
      });
    assert.ok(plan('127.0.0.1') !== null);
    assert.equal(plan('127.0.0.1')!.own, null, 'under /ui of the LAPI');
    assert.equal(plan('0.0.0.0'), null);
    assert.equal(plan('192.0.2.1'), null);
    assert.ok(plan('0.0.0.0', { enabled: true }) !== null, 'explicitly on');
    assert.equal(plan('127.0.0.1', { enabled: false }), null, 'explicitly off');
    assert.deepEqual(plan('0.0.0.0', { listen: '127.0.0.1:8081' })!.own, { host: '127.0.0.1', port: 8081 });
    assert.equal(plan('127.0.0.1', { listen: '0.0.0.0:8081' }), null, 'its own address is not loopback');
  } finally {
    await store.close();
    await env.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `picket run --no-agent` with a config file holding `yaml`, stopped (exit 0) after `f` */
async function withRun(yaml: string, f: (run: RunningPicket) => Promise<void>): Promise<void> {
  const dir = tempDir('picket-console-run-');
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, yaml);
  const run = await startPicket(['--no-agent', '--metrics', 'off', '--config', cfg], dir);
  try {
    await f(run);
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('picket run: console.listen serves the console on its own address, not on the LAPI one', () =>
  withRun('console:\n  listen: 127.0.0.1:0\n', async (run) => {
    const url = await eventually(
      async () => /web console on (http:\/\/127\.0\.0\.1:\d+\/)ui\//.exec(run.stderr())?.[1],
      'the console URL',
    );
    const root = await fetch(url, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/ui/');
    const me = await fetch(`${url}ui/api/me`);
    assert.equal(me.status, 401);
    assert.match(me.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal((await fetch(`${url}v1/decisions`)).status, 404, 'no LAPI route there');
    assert.equal((await fetch(`${run.url}ui/api/me`)).status, 404, 'no console on the LAPI listener');
  }));

test('picket run: console.enabled false leaves /ui off on a loopback LAPI', () =>
  withRun('console:\n  enabled: false\n', async (run) => {
    assert.equal((await fetch(`${run.url}ui/api/me`)).status, 404);
    assert.doesNotMatch(run.stderr(), /web console/);
  }));
