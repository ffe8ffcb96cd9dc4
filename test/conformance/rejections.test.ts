// Conformance: the real clients are turned away the way CrowdSec turns them away: a bouncer with an unknown API
// key gets 403 `{"message":"access forbidden"}` (it logs "API error: access forbidden" and keeps retrying);
// cscli with a wrong password gets 401 at login and fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CustomBouncer } from './harness/custom-bouncer.js';
import { writeCredentials, writeCrowdsecConfig } from './harness/crowdsec.js';
import { runCommand, waitFor } from './harness/proc.js';
import { skipReason, withLapi } from './harness/suite.js';

test(
  'custom bouncer with an unknown API key: 403 access forbidden, nothing reaches it',
  { skip: skipReason('crowdsec-custom-bouncer') },
  async () => {
    await withLapi(async (target, proxy) => {
      await target.addBouncer('conformance-real-one');
      const bouncer = CustomBouncer.start(
        path.join(target.dir, 'bad-key'),
        proxy.url,
        '0123456789abcdef0123456789abcdef',
      );
      await waitFor('the bouncer to report the rejection', 20_000, () =>
        /access forbidden/.test(bouncer.proc.tail(40)),
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${bouncer.proc.tail(10)}\n${proxy.dump(3)}`);
      });
      const pulls = proxy.find('GET /v1/decisions/stream');
      assert.ok(pulls.length >= 1, proxy.dump(3));
      assert.deepEqual(
        pulls.map((e) => e.status).filter((s) => s !== 403),
        [],
        `every pull is refused\n${proxy.dump(3)}`,
      );
      assert.deepEqual(JSON.parse(pulls[0]!.responseBody), { message: 'access forbidden' }, proxy.dump(3));
      assert.deepEqual(bouncer.calls(), [], 'nothing reaches the bouncer');
    });
  },
);

test('cscli with a wrong machine password: 401 at login, cscli fails', { skip: skipReason('cscli') }, async () => {
  await withLapi(async (target, proxy) => {
    await target.addMachine('conformance-wrong-pw', 'the-right-password-0123');
    const cfg = writeCrowdsecConfig(path.join(target.dir, 'cscli'));
    writeCredentials(cfg.credentialsFile, {
      url: proxy.url,
      login: 'conformance-wrong-pw',
      password: 'not-the-password-0123',
    });
    const r = await runCommand('cscli', ['-c', cfg.configFile, 'decisions', 'list', '-o', 'json'], {
      timeoutMs: 30_000,
    });
    assert.notEqual(r.code, 0, `cscli must fail: ${r.stdout}`);
    await waitFor('the login exchange', 5000, () => proxy.find('POST /v1/watchers/login').length > 0);
    const login = proxy.find('POST /v1/watchers/login')[0]!;
    assert.equal(login.status, 401, proxy.dump(2));
    const body = JSON.parse(login.responseBody) as { code?: number; message?: string };
    assert.equal(body.code, 401, login.responseBody);
    assert.equal(typeof body.message, 'string', login.responseBody);
    assert.equal(proxy.find('GET /v1/alerts').length, 0, 'nothing is asked without a token');
  });
});
