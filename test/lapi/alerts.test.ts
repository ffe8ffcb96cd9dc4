// Local API alert routes: POST /v1/alerts (validation 500/400 bodies, scope normalisation, profiles for
// alerts without decisions, until = stop_at + duration, string ids, 201), GET/HEAD with filters, unknown
// parameters, /v1/alerts/:id, trusted-IP deletions (spec lapi.md §6.6-§6.9).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMachine, agentAlert, bearer, login, manualAlert, request, startEnv, waitFor, type Env } from './helpers.js';

let env: Env;
let token: string;
before(async () => {
  env = await startEnv();
  await addMachine(env, 'probe-machine', 'pw');
  token = await login(env, 'probe-machine', 'pw');
});
after(async () => {
  await env.cleanup();
});

const post = (body: unknown, o: { gzip?: boolean } = {}) =>
  request(env.url, '/v1/alerts', { method: 'POST', json: body, headers: bearer(token), ...o });

test('cscli alert with its decision: 201 ["<id>"], until = stop_at + duration, scope normalised', async () => {
  const a = manualAlert('192.0.2.10', '2m', { scope: 'ip' });
  const r = await post([a]);
  assert.equal(r.status, 201);
  const ids = JSON.parse(r.body) as string[];
  assert.equal(ids.length, 1);
  assert.equal(typeof ids[0], 'string');
  const alert = env.lapi.getAlert(Number(ids[0]))!;
  assert.equal(alert.machineId, 'probe-machine');
  assert.equal(alert.source.scope, 'Ip');
  const d = env.lapi.getDecision(alert.decisionIds[0])!;
  assert.equal(d.scope, 'Ip');
  assert.equal(d.until, Date.parse('2026-11-25T05:14:39Z') + 120_000);
  assert.equal(d.origin, 'cscli');
});

test('agent alert without decisions: the default profile adds a 4h ban from stop_at', async () => {
  const r = await post([agentAlert('198.18.0.67')]);
  assert.equal(r.status, 201);
  const alert = env.lapi.getAlert(Number((JSON.parse(r.body) as string[])[0]))!;
  assert.equal(alert.decisionIds.length, 1);
  const d = env.lapi.getDecision(alert.decisionIds[0])!;
  assert.equal(d.type, 'ban');
  assert.equal(d.origin, 'crowdsec');
  assert.equal(d.scenario, 'crowdsecurity/ssh-bf');
  assert.equal(d.until, Date.parse('2026-11-25T05:23:45.629Z') + 4 * 3600_000);
  await waitFor(() => env.lapi.getMachine('probe-machine')!.lastPush !== null);
});

test('gzip request body is accepted', async () => {
  const r = await post([manualAlert('192.0.2.11', '1h')], { gzip: true });
  assert.equal(r.status, 201);
});

test('validation: missing fields -> 500 validation failure list; non-JSON -> 400; wrong types -> 400', async () => {
  let r = await post([{ scenario: 'x' }]);
  assert.equal(r.status, 500);
  const msg = (JSON.parse(r.body) as { message: string }).message;
  assert.ok(msg.startsWith('validation failure list:\n0.capacity in body is required\n'), msg);
  assert.match(msg, /0\.source in body is required/);
  assert.doesNotMatch(msg, /0\.scenario in body/);
  r = await request(env.url, '/v1/alerts', { method: 'POST', body: 'nope', headers: bearer(token) });
  assert.equal(r.status, 400);
  r = await post({ not: 'an array' });
  assert.equal(r.status, 400);
  assert.match(r.body, /cannot unmarshal object/);
  const bad = manualAlert('192.0.2.12', '1h');
  bad.capacity = 'five';
  r = await post([bad]);
  assert.equal(r.status, 400);
  assert.match(r.body, /Alert\.capacity/);
  const noOrigin = manualAlert('192.0.2.12', '1h');
  delete (noOrigin.decisions as Array<Record<string, unknown>>)[0].origin;
  r = await post([noOrigin]);
  assert.equal(r.status, 500);
  assert.match(r.body, /0\.decisions\.0\.origin in body is required/);
  r = await post([manualAlert('192.0.2.12', 'forever')]);
  assert.equal(r.status, 500);
  assert.match(r.body, /decision duration 'forever'/);
});

test('decision with an invalid Ip value is dropped, and its alert with it', async () => {
  const r = await post([manualAlert('not-an-ip', '1h'), manualAlert('bob', '1h', { scope: 'username' })]);
  assert.equal(r.status, 201);
  const ids = JSON.parse(r.body) as string[];
  assert.equal(ids.length, 1);
  const d = env.lapi.getDecision(env.lapi.getAlert(Number(ids[0]))!.decisionIds[0])!;
  assert.equal(d.scope, 'username');
});

test('GET /v1/alerts: filters, with_decisions, empty -> null, unknown parameter -> 500', async () => {
  let r = await request(env.url, '/v1/alerts?has_active_decision=true&include_capi=false&limit=100', {
    headers: bearer(token),
  });
  assert.equal(r.status, 200);
  const list = JSON.parse(r.body) as Array<Record<string, unknown>>;
  assert.ok(list.length >= 2);
  const ssh = list.find((a) => a.scenario === 'crowdsecurity/ssh-bf')!;
  assert.equal(ssh.machine_id, 'probe-machine');
  assert.ok('labels' in ssh && ssh.labels === null, 'labels: null, as v1.4.6 answers');
  assert.equal(typeof ssh.uuid, 'string');
  assert.equal(ssh.start_at, '2026-11-25T05:23:45Z');
  const decs = ssh.decisions as Array<Record<string, unknown>>;
  assert.equal(decs.length, 1);
  assert.equal(decs[0].simulated, false);
  assert.match(decs[0].duration as string, /^\d+h\d+m\d+s$/);
  assert.equal((ssh.events as Array<{ timestamp: string }>)[0].timestamp, '2026-11-25 05:23:45 +0000 UTC');

  r = await request(env.url, '/v1/alerts?scope=ip&value=198.18.0.67&with_decisions=false', { headers: bearer(token) });
  const one = JSON.parse(r.body) as Array<Record<string, unknown>>;
  assert.equal(one.length, 1);
  assert.equal(one[0].decisions, undefined);

  r = await request(env.url, '/v1/alerts?ip=198.18.0.67', { headers: bearer(token) });
  assert.equal((JSON.parse(r.body) as unknown[]).length, 1);

  r = await request(env.url, '/v1/alerts?scenario=does-not-exist', { headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'null');

  r = await request(env.url, '/v1/alerts?bogus=1', { headers: bearer(token) });
  assert.equal(r.status, 500);
  assert.equal(r.body, '{"message":"filter parameter \'bogus\' is unknown (=1): invalid filter"}');

  r = await request(env.url, '/v1/alerts?since=bad', { headers: bearer(token) });
  assert.equal(r.status, 500);

  r = await request(env.url, '/v1/alerts?since=1d', { headers: bearer(token) });
  assert.equal(r.status, 200);

  r = await request(env.url, '/v1/alerts', { method: 'HEAD', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
});

test('GET /v1/alerts/:id: 400 non-integer, 404 unknown, 200 alert; HEAD', async () => {
  const id = (JSON.parse((await post([manualAlert('192.0.2.30', '1h')])).body) as string[])[0];
  let r = await request(env.url, '/v1/alerts/abc', { headers: bearer(token) });
  assert.equal(r.status, 400);
  assert.equal(r.body, '{"message":"alert_id must be valid integer"}');
  r = await request(env.url, '/v1/alerts/99999', { headers: bearer(token) });
  assert.equal(r.status, 404);
  assert.equal(r.body, '{"message":"object not found"}');
  r = await request(env.url, `/v1/alerts/${id}`, { headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as { id: number }).id, Number(id));
  r = await request(env.url, `/v1/alerts/${id}`, { method: 'HEAD', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
});

test('DELETE /v1/alerts: trusted IP only, hard delete with nbDeleted as a string', async () => {
  const id = (
    JSON.parse((await post([manualAlert('192.0.2.40', '1h', { scenario: 'to-delete' })])).body) as string[]
  )[0];
  let r = await request(env.url, '/v1/alerts?scenario=to-delete', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"nbDeleted":"1"}');
  assert.equal(env.lapi.getAlert(Number(id)), undefined);
  r = await request(env.url, '/v1/alerts?nope=1', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 500);
  const id2 = (JSON.parse((await post([manualAlert('192.0.2.41', '1h')])).body) as string[])[0];
  r = await request(env.url, `/v1/alerts/${id2}`, { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"nbDeleted":"1"}');
});

test('DELETE /v1/alerts from an untrusted IP -> 403 access forbidden from this IP', async () => {
  const other = await startEnvWith(['10.0.0.0/8']);
  try {
    await addMachine(other, 'm', 'pw');
    const t = await login(other, 'm', 'pw');
    const r = await request(other.url, '/v1/alerts', { method: 'DELETE', headers: bearer(t) });
    assert.equal(r.status, 403);
    assert.equal(r.body, '{"message":"access forbidden from this IP (127.0.0.1)"}');
  } finally {
    await other.cleanup();
  }
});

test('ingestAlerts (in-process agent): validates, applies profiles, stores; invalid input throws', async () => {
  const ids = await env.server.ingestAlerts([agentAlert('198.18.0.99') as never], 'local-agent');
  assert.equal(ids.length, 1);
  const a = env.lapi.getAlert(Number(ids[0]))!;
  assert.equal(a.machineId, 'local-agent');
  assert.equal(env.lapi.getDecision(a.decisionIds[0])!.value, '198.18.0.99');
  await assert.rejects(
    env.server.ingestAlerts([{ scenario: 'x' } as never], 'local-agent'),
    /validation failure list:\n0\.capacity in body is required/,
  );
});

async function startEnvWith(trustedIps: string[]): Promise<Env> {
  return startEnv({ trustedIps });
}
