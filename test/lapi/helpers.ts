// Fixtures of the Local API tests: a real LMDB store in a temp folder with a movable clock, a LAPI server on
// 127.0.0.1 port 0, helpers to create bouncers/machines, log in, and send raw HTTP requests (gzip bodies,
// HEAD, custom headers) with node:http.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openStore, type PicketStore } from '../../src/store/lmdb.js';
import { openLapiStore, type LmdbLapiStore } from '../../src/store/lapi-store.js';
import { startLapi, type LapiOptions, type LapiServer } from '../../src/lapi/index.js';
import { sha512Hex } from '../../src/lapi/auth-apikey.js';
import { hashPassword } from '../../src/lapi/password.js';
import { defaultProfiles } from '../../src/profiles/index.js';

export const SECRET = 'x'.repeat(64);
export const UA_AGENT = 'crowdsec/v1.4.6-6~deb12u1+b1-linux-debian';
export const UA_BOUNCER = 'crowdsec-firewall-bouncer/v0.0.31';

export interface Env {
  dir: string;
  clock: { now: number };
  store: PicketStore;
  lapi: LmdbLapiStore;
  server: LapiServer;
  url: string;
  logs: string[];
  /** stop the server and close the store (keeps the folder) */
  stop(): Promise<void>;
  /** restart on the same folder (new store handle, new server, new random JWT secret unless env given) */
  restart(o?: Partial<LapiOptions>): Promise<void>;
  /** stop + remove the folder */
  cleanup(): Promise<void>;
}

export async function startEnv(o: Partial<LapiOptions> = {}): Promise<Env> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-lapi-'));
  const clock = { now: Date.UTC(2026, 10, 25, 5, 14, 39) };
  const logs: string[] = [];
  const env = { dir, clock, logs } as Env;
  const boot = async (extra: Partial<LapiOptions>) => {
    env.store = openStore(dir);
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 0, clock: () => clock.now });
    env.server = await startLapi({
      store: env.lapi,
      listen: { host: '127.0.0.1', port: 0 },
      dataDir: dir,
      profiles: defaultProfiles(),
      log: (l) => logs.push(l),
      clock: () => clock.now,
      env: { CS_LAPI_SECRET: SECRET },
      ...o,
      ...extra,
    });
    env.url = env.server.url;
  };
  try {
    await boot({});
  } catch (e) {
    await env.lapi?.close();
    await env.store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  env.stop = async () => {
    if (stopped) return;
    stopped = true;
    await env.server.close();
    await env.lapi.close();
    await env.store.close();
  };
  env.restart = async (extra = {}) => {
    await env.stop();
    stopped = false;
    await boot(extra);
  };
  env.cleanup = async () => {
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return env;
}

export async function addBouncer(env: Env, name: string, key: string): Promise<void> {
  const now = env.clock.now;
  await env.lapi.putBouncer({
    name,
    apiKeyHash: sha512Hex(key),
    revoked: false,
    ipAddress: '',
    type: '',
    version: '',
    authType: 'api-key',
    autoCreated: false,
    createdAt: now,
    updatedAt: now,
    lastPull: null,
  });
}

export async function addMachine(env: Env, id: string, password: string, validated = true): Promise<void> {
  const now = env.clock.now;
  await env.lapi.putMachine({
    machineId: id,
    passwordHash: await hashPassword(password),
    isValidated: validated,
    authType: 'password',
    ipAddress: '',
    version: '',
    scenarios: '',
    createdAt: now,
    updatedAt: now,
    lastPush: null,
    lastHeartbeat: null,
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  json?: unknown;
  gzip?: boolean;
}

/** One HTTP request on a fresh connection (no agent). */
export function request(base: string, p: string, o: RequestOptions = {}): Promise<Reply> {
  const u = new URL(p, base);
  let body: Buffer | undefined =
    o.json !== undefined
      ? Buffer.from(JSON.stringify(o.json))
      : typeof o.body === 'string'
        ? Buffer.from(o.body)
        : o.body;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...(o.headers ?? {}) };
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  if (body !== undefined && o.gzip) {
    body = zlib.gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POST /v1/watchers/login -> token */
export async function login(env: Env, id: string, password: string): Promise<string> {
  const r = await request(env.url, '/v1/watchers/login', {
    method: 'POST',
    json: { machine_id: id, password, scenarios: null },
    headers: { 'user-agent': UA_AGENT },
  });
  if (r.status !== 200) throw new Error(`login ${id}: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { token: string }).token;
}

export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'user-agent': UA_AGENT,
});
export const apiKey = (key: string, ua = UA_BOUNCER): Record<string, string> => ({
  'x-api-key': key,
  'user-agent': ua,
});

/** A cscli-style alert carrying its decision (decisions add). */
export function manualAlert(
  value: string,
  duration: string,
  opts: { scope?: string; type?: string; origin?: string; scenario?: string; at?: string } = {},
): Record<string, unknown> {
  const at = opts.at ?? '2026-11-25T05:14:39Z';
  const scope = opts.scope ?? 'Ip';
  const scenario = opts.scenario ?? 'probe test';
  return {
    scenario,
    scenario_hash: '',
    scenario_version: '',
    message: scenario,
    events_count: 1,
    capacity: 0,
    leakspeed: '0',
    simulated: false,
    labels: null,
    start_at: at,
    stop_at: at,
    created_at: at,
    source: { scope, value, ip: scope === 'Ip' ? value : '' },
    events: [],
    decisions: [{ duration, origin: opts.origin ?? 'cscli', scenario, scope, type: opts.type ?? 'ban', value }],
  };
}

/** The v1.4.6 agent's alert (no decisions: the default profile bans the IP for 4 h). */
export function agentAlert(ip: string, stopAt = '2026-11-25T05:23:45.629312797Z'): Record<string, unknown> {
  return {
    capacity: 5,
    decisions: null,
    events: [
      {
        meta: [
          { key: 'source_ip', value: ip },
          { key: 'service', value: 'ssh' },
        ],
        timestamp: '2026-11-25T05:23:45Z',
      },
    ],
    events_count: 6,
    labels: null,
    leakspeed: '10s',
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 2.602308ms)`,
    remediation: true,
    scenario: 'crowdsecurity/ssh-bf',
    scenario_hash: 'abc',
    scenario_version: '0.1',
    simulated: false,
    source: { ip, scope: 'Ip', value: ip },
    start_at: '2026-11-25T05:23:45.626710489Z',
    stop_at: stopAt,
  };
}

/** Polls `cond` (background bookkeeping writes) for up to 2 s. */
export async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not reached within 2 s');
}
