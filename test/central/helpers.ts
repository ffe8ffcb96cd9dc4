// Fixtures of the Picket Central tests: a server on 127.0.0.1 port 0 over a temp data folder (embedded store, or
// PostgreSQL when a URL is given), `picket central run` in a child process, the KConsensus test engine, a small
// hub index (fixtures/index.json, copied from Debian's crowdsec hub index), and helpers to register, log in,
// push signals and pull with fetch.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, type CentralConfig } from '../../src/central/config.js';
import { startCentral, type RunningCentral } from '../../src/central/server.js';
import { KConsensus } from './k-consensus.js';

export const HUB_INDEX = fileURLToPath(new URL('../../../test/central/fixtures/index.json', import.meta.url));
export const SSH_BF_HASH = '4441dcff07020f6690d998b7101e642359ba405c2abb83565bbbdcee36de280f';
export const UA = 'crowdsec/v1.6.0-linux';
export const PICKET_BIN = fileURLToPath(new URL('../../../bin/picket.js', import.meta.url));

export interface CentralProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** what it wrote to stderr so far (its log) */
  err(): string;
}

/** `picket central run ARGS` in a child process (add `--listen 127.0.0.1:0`); resolves once it listens */
export async function spawnCentral(args: readonly string[]): Promise<CentralProcess> {
  const child = spawn(process.execPath, [PICKET_BIN, 'central', 'run', ...args]);
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`central run exited ${code}: ${err}`)));
  });
  return { url, child, err: () => err };
}

export interface CentralEnv {
  dir: string;
  url: string;
  central: RunningCentral;
  consensus: KConsensus;
  config: CentralConfig;
  logs: string[];
  cleanup(): Promise<void>;
}

export async function startEnv(over: Partial<CentralConfig> = {}, k = 2): Promise<CentralEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-central-'));
  const config: CentralConfig = {
    ...defaultConfig(),
    listen: '127.0.0.1:0',
    data: dir,
    hubIndex: HUB_INDEX,
    registrationsPerNetworkPerHour: 1000,
    tickSeconds: 3600,
    ...over,
  };
  const consensus = new KConsensus(k);
  const logs: string[] = [];
  let central: RunningCentral;
  try {
    central = await startCentral(config, { consensus, log: (l) => logs.push(l) });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    url: central.url,
    central,
    consensus,
    config,
    logs,
    async cleanup() {
      await central.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  body: string;
  json: unknown;
  headers: Headers;
}

export async function call(
  url: string,
  method: string,
  body?: unknown,
  o: { token?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'User-Agent': UA, ...o.headers };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: text, json, headers: r.headers };
}

let seq = 0;
/** registers and logs in a new login; returns its token */
export async function newSite(
  env: CentralEnv,
  v: 2 | 3 = 3,
  scenarios = ['crowdsecurity/ssh-bf'],
): Promise<{ login: string; token: string }> {
  const login = `site${process.pid}x${++seq}`.padEnd(48, 'a');
  const password = 'p'.repeat(64);
  const r = await call(`${env.url}/v${v}/watchers`, 'POST', { machine_id: login, password });
  if (r.status !== 200) throw new Error(`register: ${r.status} ${r.body}`);
  const l = await call(`${env.url}/v${v}/watchers/login`, 'POST', { machine_id: login, password, scenarios });
  if (l.status !== 200) throw new Error(`login: ${l.status} ${l.body}`);
  return { login, token: (l.json as { token: string }).token };
}

let uuidSeq = 0;
/** a v3 signal as CrowdSec 1.6 sends it (with everything that must NOT be kept); a new alert uuid unless given */
export function signal(
  ip: string,
  o: { scenario?: string; hash?: string; trust?: string; stop?: string; uuid?: string } = {},
): Record<string, unknown> {
  const stop = o.stop ?? new Date(Date.now() - 60_000).toISOString();
  return {
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 2.6ms) at SECRET-MESSAGE-TEXT`,
    scenario: o.scenario ?? 'crowdsecurity/ssh-bf',
    scenario_hash: o.hash ?? SSH_BF_HASH,
    scenario_version: '0.1',
    scenario_trust: o.trust ?? 'certified',
    source: {
      scope: 'Ip',
      value: ip,
      ip,
      range: '45.0.0.0/16',
      as_number: '64599',
      as_name: 'SECRET-AS-NAME',
      cn: 'FR',
      latitude: 48.8566,
      longitude: 2.3522,
    },
    start_at: stop,
    stop_at: stop,
    machine_id: 'secret-hostname.example',
    uuid: o.uuid ?? `secret-uuid-${process.pid}-${++uuidSeq}`,
    kind: 'crowdsec',
    decisions: [
      {
        id: 0,
        uuid: 'secret-decision-uuid',
        origin: 'crowdsec',
        type: 'ban',
        scope: 'Ip',
        value: ip,
        duration: '4h',
        scenario: 'crowdsecurity/ssh-bf',
      },
    ],
    context: [{ key: 'target_user', value: '["secret-user"]' }],
  };
}

/** ingest what is queued and recompute the list now */
export async function settle(env: CentralEnv): Promise<void> {
  const svc = env.central.service;
  await svc.ingest.flush();
  await svc.applyOps();
  await svc.machines.flush();
  svc.tick();
}
