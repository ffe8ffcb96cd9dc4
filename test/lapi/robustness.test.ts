// Local API robustness: malformed, oversized and gzip bodies (a gzip bomb beyond the limit is cut off with a
// 400 and the server keeps serving), concurrent writers and readers staying consistent, restart on the same
// data folder (decisions still served, tokens invalid with a new secret, re-login works), and the local CLI
// credentials file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import https from 'node:https';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import {
  addBouncer,
  addMachine,
  apiKey,
  bearer,
  login,
  manualAlert,
  agentAlert,
  request,
  startEnv,
  UA_AGENT,
} from './helpers.js';
import { ensureLocalCredentials, CREDENTIALS_FILE } from '../../src/lapi/index.js';

test('bodies: malformed JSON 400, oversized 400, gzip bomb 400, bad gzip 400; server keeps serving', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    let r = await request(env.url, '/v1/watchers', { method: 'POST', body: '{"machine_id": ' });
    assert.equal(r.status, 400);
    assert.match(r.body, /invalid JSON body/);
    // 3 MiB plain body on an unauthenticated route (limit 2 MiB)
    r = await request(env.url, '/v1/watchers', { method: 'POST', body: Buffer.alloc(3 * 1024 * 1024, 0x20) });
    assert.equal(r.status, 400);
    assert.match(r.body, /too large/);
    // gzip bomb: 64 MiB of spaces compressed to a few KiB, on the 50 MiB authenticated route
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 200_000);
    r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      body: bomb,
      headers: { ...bearer(token), 'content-encoding': 'gzip' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body, /after gzip decompression/);
    // a small bomb on the 2 MiB route
    r = await request(env.url, '/v1/watchers', {
      method: 'POST',
      body: zlib.gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20)),
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(r.status, 400);
    r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      body: Buffer.from('definitely not gzip'),
      headers: { ...bearer(token), 'content-encoding': 'gzip' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body, /invalid gzip/);
    // gzip body within the limit works
    r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      json: [manualAlert('192.0.2.1', '1h')],
      gzip: true,
      headers: bearer(token),
    });
    assert.equal(r.status, 201);
    r = await request(env.url, '/health');
    assert.equal(r.status, 200);
  } finally {
    await env.cleanup();
  }
});

test('concurrent alert writers and stream/lookup readers stay consistent', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'm', 'pw');
    await addBouncer(env, 'b', 'bkey');
    const token = await login(env, 'm', 'pw');
    const N = 40;
    const writes = Array.from({ length: N }, (_, i) =>
      request(env.url, '/v1/alerts', {
        method: 'POST',
        json: [agentAlert(`10.1.${i >> 8}.${i & 255}`)],
        headers: bearer(token),
      }),
    );
    const reads = Array.from({ length: N }, (_, i) =>
      request(env.url, `/v1/decisions?ip=10.1.0.${i}`, { headers: apiKey('bkey') }),
    );
    const results = await Promise.all([...writes, ...reads]);
    const ids = new Set<string>();
    for (const r of results.slice(0, N)) {
      assert.equal(r.status, 201, r.body);
      for (const id of JSON.parse(r.body) as string[]) ids.add(id);
    }
    assert.equal(ids.size, N, 'every alert got its own id');
    for (const r of results.slice(N)) {
      assert.equal(r.status, 200);
      assert.ok(r.body === 'null' || Array.isArray(JSON.parse(r.body)));
    }
    // after the writes: every IP is found, the stream snapshot has them all, concurrently polled
    const [stream, ...lookups] = await Promise.all([
      request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey('bkey') }),
      ...Array.from({ length: N }, (_, i) =>
        request(env.url, `/v1/decisions?ip=10.1.0.${i}`, { headers: apiKey('bkey') }),
      ),
    ]);
    assert.equal((JSON.parse(stream.body) as { new: unknown[] }).new.length, N);
    for (const r of lookups) assert.equal((JSON.parse(r.body) as unknown[]).length, 1);
  } finally {
    await env.cleanup();
  }
});

test('restart on the same data folder: decisions served, old token refused with a new secret, re-login works', async () => {
  const env = await startEnv({ env: {} }); // random secret per start
  try {
    await addMachine(env, 'm', 'pw');
    await addBouncer(env, 'b', 'bkey');
    const token = await login(env, 'm', 'pw');
    let r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      json: [manualAlert('192.0.2.77', '4h')],
      headers: bearer(token),
    });
    assert.equal(r.status, 201);
    env.clock.now += 1000; // the store repeats decisions made visible at the very millisecond of the last pull
    r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey('bkey') });
    assert.equal((JSON.parse(r.body) as { new: unknown[] }).new.length, 1);
    await env.restart({ env: {} });
    r = await request(env.url, '/v1/decisions?ip=192.0.2.77', { headers: apiKey('bkey') });
    assert.equal((JSON.parse(r.body) as Array<{ value: string }>)[0].value, '192.0.2.77');
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(token) });
    assert.equal(r.status, 401);
    const fresh = await login(env, 'm', 'pw');
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(fresh) });
    assert.equal(r.status, 200);
    // the bouncer's last pull survived: its next delta is empty
    env.clock.now += 1000;
    r = await request(env.url, '/v1/decisions/stream?', { headers: apiKey('bkey') });
    assert.equal(r.body, '{"new":[],"deleted":[]}');
  } finally {
    await env.cleanup();
  }
});

test('ensureLocalCredentials: creates a validated machine and a 0600 cscli file once, reuses it after', async () => {
  const env = await startEnv();
  try {
    const first = await ensureLocalCredentials(env.lapi, env.dir, env.url);
    assert.equal(first.created, true);
    const file = path.join(env.dir, CREDENTIALS_FILE);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { url: string; login: string; password: string };
    assert.deepEqual(doc, { url: env.url, login: first.login, password: first.password });
    assert.equal(env.lapi.getMachine(first.login)!.isValidated, true);
    const r = await request(env.url, '/v1/watchers/login', {
      method: 'POST',
      json: { machine_id: doc.login, password: doc.password },
      headers: { 'user-agent': UA_AGENT },
    });
    assert.equal(r.status, 200);
    const second = await ensureLocalCredentials(env.lapi, env.dir, env.url);
    assert.deepEqual(second, { ...first, created: false });
    // machine lost from the store: recreated with the file's password
    await env.lapi.deleteMachine(first.login);
    const third = await ensureLocalCredentials(env.lapi, env.dir, env.url);
    assert.equal(third.created, true);
    assert.equal(third.password, first.password);
    assert.ok(env.lapi.getMachine(first.login));
  } finally {
    await env.cleanup();
  }
});

test('TLS listener: https URL, requests served over TLS', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-lapi-tls-'));
  const certFile = path.join(dir, 'cert.pem'),
    keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const env = await startEnv({ tls: { certFile, keyFile } });
  try {
    assert.match(env.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const u = new URL('/health', env.url);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            ca: fs.readFileSync(certFile),
            servername: '127.0.0.1',
            checkServerIdentity: () => undefined,
          },
          (res) => {
            let b = '';
            res.on('data', (c: Buffer) => {
              b += c.toString();
            });
            res.on('end', () => resolve(b));
          },
        )
        .on('error', reject);
    });
    assert.equal(body, '{"status":"up"}');
  } finally {
    await env.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS: a missing certificate file is a startup error naming it', async () => {
  await assert.rejects(
    startEnv({ tls: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } }),
    /LAPI TLS certificate \/nonexistent\/cert\.pem: ENOENT/,
  );
});
