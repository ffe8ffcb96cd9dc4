// TLS client-certificate authentication (spec lapi.md §3.1, §3.2) on a real HTTPS listener on 127.0.0.1:
// certificates made with openssl (a CA, a server certificate, clients with OU bouncer-ou / agent-ou / another
// OU, and one from a foreign CA). Bouncer certificates pull decisions as `<CN>@<ip>` (auto-created, auth type
// tls), agent certificates log in with only scenarios, anything else falls back to the key/password checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import type { TLSSocket } from 'node:tls';
import path from 'node:path';
import { addBouncer, addMachine, startEnv, waitFor, UA_AGENT, UA_BOUNCER, type Env } from './helpers.js';
import { parseConfig } from '../../src/config/config.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const skip = hasOpenssl ? false : 'openssl not installed: TLS client-certificate tests skipped';

interface Pem {
  cert: Buffer;
  key: Buffer;
}
let dir: string;
let ca: Buffer;
let client: Record<'bouncer' | 'agent' | 'otherOu' | 'foreign', Pem>;
let env: Env | undefined;

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** a key + certificate for `subj`, signed by the CA named `caName` (files caName.pem / caName.key) */
function issue(name: string, subj: string, caName: string, ext: string): Pem {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subj,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.pem`,
    '-CAkey',
    `${caName}.key`,
    '-set_serial',
    String(Date.now() % 1e9),
    '-days',
    '1',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  ]);
  return { cert: fs.readFileSync(path.join(dir, `${name}.pem`)), key: fs.readFileSync(path.join(dir, `${name}.key`)) };
}

function makeCa(name: string): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  ]);
}

interface Reply {
  status: number;
  body: string;
  resumed: boolean;
}
function send(
  p: string,
  o: { method?: string; pem?: Pem; headers?: Record<string, string>; json?: unknown; agent?: https.Agent } = {},
): Promise<Reply> {
  const u = new URL(env!.url);
  const body = o.json === undefined ? undefined : JSON.stringify(o.json);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: Number(u.port),
        path: p,
        method: o.method ?? 'GET',
        ca,
        agent: o.agent ?? false,
        ...(o.pem ? { cert: o.pem.cert, key: o.pem.key } : {}),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            resumed: (res.socket as TLSSocket).isSessionReused(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  if (!hasOpenssl) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-tls-auth-'));
  makeCa('ca');
  makeCa('other-ca');
  const clientExt = 'extendedKeyUsage=clientAuth\n';
  issue('server', '/CN=127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  client = {
    bouncer: issue('fw1', '/OU=bouncer-ou/CN=fw1', 'ca', clientExt),
    agent: issue('agent1', '/OU=agent-ou/CN=agent1', 'ca', clientExt),
    otherOu: issue('other', '/OU=other-ou/CN=fw2', 'ca', clientExt),
    foreign: issue('foreign', '/OU=bouncer-ou/CN=evil', 'other-ca', clientExt),
  };
  ca = fs.readFileSync(path.join(dir, 'ca.pem'));
  env = await startEnv({
    tls: {
      certFile: path.join(dir, 'server.pem'),
      keyFile: path.join(dir, 'server.key'),
      caFile: path.join(dir, 'ca.pem'),
      bouncersAllowedOu: ['bouncer-ou'],
      agentsAllowedOu: ['agent-ou'],
    },
  });
});
after(async () => {
  await env?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const STREAM = '/v1/decisions/stream?startup=true';

test(
  'bouncer certificate: 200 on the stream, bouncer fw1@127.0.0.1 auto-created with auth type tls',
  { skip },
  async () => {
    const r = await send(STREAM, { pem: client.bouncer, headers: { 'user-agent': UA_BOUNCER } });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { new: [], deleted: [] });
    await waitFor(() => env!.lapi.getBouncerByName('fw1@127.0.0.1')?.type === 'crowdsec-firewall-bouncer');
    const b = env!.lapi.getBouncerByName('fw1@127.0.0.1')!;
    assert.equal(b.authType, 'tls');
    assert.equal(b.autoCreated, true);
    assert.equal(b.ipAddress, '127.0.0.1');
    assert.equal(b.version, 'v0.0.31');
    assert.doesNotMatch(b.apiKeyHash, /^[0-9a-f]{128}$/, 'no API key can match a TLS bouncer');
    // a second connection finds the same bouncer (no duplicate)
    assert.equal((await send(STREAM, { pem: client.bouncer, headers: { 'user-agent': UA_BOUNCER } })).status, 200);
    assert.equal(env!.lapi.listBouncers().filter((x) => x.name.startsWith('fw1')).length, 1);
  },
);

test('agent certificate: login with only scenarios -> JWT that works on /v1/heartbeat', { skip }, async () => {
  const r = await send('/v1/watchers/login', {
    method: 'POST',
    pem: client.agent,
    headers: { 'user-agent': UA_AGENT },
    json: { scenarios: ['crowdsecurity/ssh-bf'] },
  });
  assert.equal(r.status, 200, r.body);
  const { token } = JSON.parse(r.body) as { token: string };
  const m = env!.lapi.getMachine('agent1@127.0.0.1')!;
  assert.equal(m.authType, 'tls');
  assert.equal(m.isValidated, true);
  await waitFor(() => env!.lapi.getMachine('agent1@127.0.0.1')?.scenarios === 'crowdsecurity/ssh-bf');
  const hb = await send('/v1/heartbeat', { headers: { authorization: `Bearer ${token}`, 'user-agent': UA_AGENT } });
  assert.equal(hb.status, 200, hb.body);
  // an agent certificate is no bouncer credential
  assert.equal((await send(STREAM, { pem: client.agent, headers: { 'user-agent': UA_BOUNCER } })).status, 403);
});

test('certificate of a foreign CA or of another OU: 403 for bouncers, 401 at login', { skip }, async () => {
  for (const pem of [client.foreign, client.otherOu]) {
    const r = await send(STREAM, { pem, headers: { 'user-agent': UA_BOUNCER } });
    assert.equal(r.status, 403);
    assert.deepEqual(JSON.parse(r.body), { message: 'access forbidden' });
    const l = await send('/v1/watchers/login', {
      method: 'POST',
      pem,
      headers: { 'user-agent': UA_AGENT },
      json: { scenarios: [] },
    });
    assert.equal(l.status, 401);
  }
  assert.equal(env!.lapi.getBouncerByName('evil@127.0.0.1'), undefined);
  assert.equal(env!.lapi.getBouncerByName('fw2@127.0.0.1'), undefined);
});

test(
  'API keys and passwords still work on the TLS listener, with or without a client certificate',
  { skip },
  async () => {
    await addBouncer(env!, 'keyed', 'secret-key');
    await addMachine(env!, 'pw-machine', 'pw');
    for (const pem of [undefined, client.bouncer, client.foreign]) {
      assert.equal(
        (await send(STREAM, { pem, headers: { 'x-api-key': 'secret-key', 'user-agent': UA_BOUNCER } })).status,
        200,
      );
      assert.equal(
        (await send(STREAM, { pem, headers: { 'x-api-key': 'wrong', 'user-agent': UA_BOUNCER } })).status,
        403,
      );
    }
    assert.equal((await send(STREAM, { headers: { 'user-agent': UA_BOUNCER } })).status, 403);
    const l = await send('/v1/watchers/login', {
      method: 'POST',
      headers: { 'user-agent': UA_AGENT },
      json: { machine_id: 'pw-machine', password: 'pw' },
    });
    assert.equal(l.status, 200, l.body);
    // a TLS bouncer is not reachable by its marker as an API key
    assert.equal(
      (await send(STREAM, { headers: { 'x-api-key': 'tls:fw1@127.0.0.1', 'user-agent': UA_BOUNCER } })).status,
      403,
    );
  },
);

test('a password machine of the same name is not taken over by a certificate', { skip }, async () => {
  await addMachine(env!, 'agent1@127.0.0.1', 'pw');
  const r = await send('/v1/watchers/login', {
    method: 'POST',
    pem: client.agent,
    headers: { 'user-agent': UA_AGENT },
    json: { scenarios: [] },
  });
  assert.equal(r.status, 401);
  assert.match(r.body, /configured to use password/);
});

test(
  'TLS bouncer usage metrics are stored as RC + <CN>@<ip>; a resumed TLS session keeps its identity',
  { skip },
  async () => {
    env!.clock.now += 1000;
    const rc = {
      version: 'v0.0.31',
      utc_startup_timestamp: 1732510000,
      metrics: [
        {
          meta: { window_size_seconds: 1800, utc_now_timestamp: 1732511800 },
          items: [{ name: 'dropped', value: 3, unit: 'packet' }],
        },
      ],
    };
    // one agent: the second connection resumes the first one's TLS session
    const agent = new https.Agent({ keepAlive: false, cert: client.bouncer.cert, key: client.bouncer.key, ca });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await send('/v1/usage-metrics', {
          method: 'POST',
          pem: client.bouncer,
          agent,
          headers: { 'user-agent': UA_BOUNCER },
          json: { remediation_components: [rc] },
        });
        assert.equal(r.status, 201, r.body);
        assert.equal(r.resumed, i === 1, 'the second connection resumes the TLS session');
      }
    } finally {
      agent.destroy();
    }
    const rows = env!.lapi.listUsageMetrics().filter((m) => m.receivedAt === env!.clock.now);
    assert.deepEqual(
      rows.map((m) => [m.generatedType, m.generatedBy]),
      [
        ['RC', 'fw1@127.0.0.1'],
        ['RC', 'fw1@127.0.0.1'],
      ],
    );
  },
);

test('config file: tls.bouncers_allowed_ou / agents_allowed_ou, which need ca_file', () => {
  const c = parseConfig(
    'tls:\n  cert_file: c.pem\n  key_file: k.pem\n  ca_file: ca.pem\n  bouncers_allowed_ou: [bouncer-ou]\n  agents_allowed_ou:\n    - agent-ou\n    - ops\n',
    'x.yaml',
  );
  assert.deepEqual(c.tls, {
    certFile: 'c.pem',
    keyFile: 'k.pem',
    caFile: 'ca.pem',
    bouncersAllowedOu: ['bouncer-ou'],
    agentsAllowedOu: ['agent-ou', 'ops'],
  });
  assert.throws(
    () => parseConfig('tls:\n  cert_file: c.pem\n  key_file: k.pem\n  bouncers_allowed_ou: [b]\n', 'x.yaml'),
    /x\.yaml:\d+: tls\.ca_file: missing/,
  );
  assert.throws(
    () =>
      parseConfig(
        'tls:\n  cert_file: c.pem\n  key_file: k.pem\n  ca_file: ca.pem\n  agents_allowed_ou: agent-ou\n',
        'x.yaml',
      ),
    /x\.yaml:\d+: tls\.agents_allowed_ou: expected a list/,
  );
});
