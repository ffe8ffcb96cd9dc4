// End to end (issue 13), the community part: Picket Central (in-process, with the test's k=2 consensus so that two
// sites' certified signals list an address at once) and site B a `picket run --no-agent` process pulling from it
// (online_client, sharing off). A real bouncer client polling site B gets the listed address with origin CAPI and
// the scenario as sent, within one pull; an address allowlisted at site B never reaches it (and is counted in
// picket_capi_allowlisted_total{origin="CAPI"} on site B's /metrics); `decisions list --origin CAPI` shows it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BouncerClient, type ClientDecision } from '../../src/client/index.js';
import { eventually, tempDir, type RunningPicket } from '../cli/helpers.js';
import { picketOk, startSiteB } from './lists-helpers.js';
import { call, newSite, settle, signal, startEnv, type CentralEnv } from '../central/helpers.js';

const dir = tempDir('picket-crowd-community-');
let env: CentralEnv | null = null;
let siteB: RunningPicket | null = null;
let bouncer: BouncerClient | null = null;

after(async () => {
  await bouncer?.close();
  await siteB?.stop();
  await env?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ok = picketOk;

test('a community entry reaches site B’s bouncer with origin CAPI; an allowlisted one never does', async () => {
  env = await startEnv();
  const sites = [await newSite(env), await newSite(env)];
  for (const s of sites)
    assert.equal(
      (await call(`${env.url}/v3/signals`, 'POST', [signal('45.66.0.1'), signal('45.66.0.2')], { token: s.token }))
        .status,
      200,
    );
  await settle(env);

  const b = await startSiteB(dir, env.url, '45.66.0.2', ['--metrics', '127.0.0.1:0']);
  siteB = b.site;
  bouncer = b.bouncer;
  const data = b.data;

  const seen = new Map<string, ClientDecision>();
  await eventually(
    async () => {
      for (const d of (await bouncer!.stream({ startup: true, origins: ['CAPI'] })).new) seen.set(d.value, d);
      return seen.has('45.66.0.1');
    },
    'the community entry at the bouncer',
    70_000,
  );
  const d = seen.get('45.66.0.1')!;
  assert.deepEqual([d.origin, d.scenario, d.type, d.scope], ['CAPI', 'crowdsecurity/ssh-bf', 'ban', 'Ip']);
  assert.ok(!seen.has('45.66.0.2'), 'the allowlisted address never reaches the bouncer');
  const all = await bouncer.stream({ startup: true });
  assert.ok(!all.new.some((x) => x.value === '45.66.0.2'));

  const listed = await ok(['decisions', 'list', '--origin', 'CAPI', '--data', data]);
  assert.match(listed, /CAPI.*Ip:45\.66\.0\.1.*crowdsecurity\/ssh-bf/);
  assert.doesNotMatch(await ok(['decisions', 'list', '--data', data]), /45\.66\.0\.1/, 'hidden without -a');

  const m = /metrics on (http:\/\/\S+)/.exec(siteB.stderr());
  assert.ok(m, `site B's metrics URL in its log:\n${siteB.stderr()}`);
  const text = await (await fetch(m[1]!)).text();
  assert.match(text, /picket_capi_allowlisted_total\{origin="CAPI"\} 1/);
});
