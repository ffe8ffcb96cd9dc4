// Shared fixtures of the LAPI store tests: a store on a fresh temp folder with a controllable clock, and
// builders of alerts/decisions as the HTTP layer hands them to the store.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type PicketStore } from '../../src/store/lmdb.js';
import { openLapiStore, type LmdbLapiStore, type LapiStoreOptions } from '../../src/store/lapi-store.js';
import { parseIpOrRange } from '../../src/store/iprange.js';
import type { BouncerRecord, IpRange, MachineRecord, NewAlert, NewDecision } from '../../src/store/records.js';

export const T0 = Date.UTC(2026, 10, 25, 5, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export interface Env {
  dir: string;
  store: PicketStore;
  lapi: LmdbLapiStore;
  /** the injected clock (creation times); tests move it */
  now: number;
  reopen(opts?: LapiStoreOptions): Promise<void>;
  cleanup(): Promise<void>;
}

export async function openEnv(opts: LapiStoreOptions = {}): Promise<Env> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-lapi-'));
  const env = { dir, now: T0 } as Env;
  const clock = (): number => env.now;
  env.store = openStore(dir);
  env.lapi = openLapiStore(env.store, { syncIntervalMs: 0, clock, ...opts });
  env.reopen = async (o: LapiStoreOptions = {}): Promise<void> => {
    await env.lapi.close();
    await env.store.close();
    env.store = openStore(dir);
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 0, clock, ...o });
  };
  env.cleanup = async (): Promise<void> => {
    try {
      await env.lapi.close();
      await env.store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return env;
}

export function ip(s: string): IpRange {
  const r = parseIpOrRange(s);
  if (!r) throw new Error(`bad ip ${s}`);
  return r;
}

export function decision(value: string, until: number, over: Partial<NewDecision> = {}): NewDecision {
  const scope = over.scope ?? (value.includes('/') ? 'Range' : 'Ip');
  return {
    until,
    scenario: 'crowdsecurity/ssh-bf',
    type: 'ban',
    scope,
    value,
    origin: 'crowdsec',
    simulated: false,
    ...over,
  };
}

export function alert(decisions: NewDecision[], over: Partial<NewAlert> = {}): NewAlert {
  const v = decisions[0]?.value ?? '192.0.2.1';
  return {
    machineId: 'm1',
    scenario: decisions[0]?.scenario ?? 'crowdsecurity/ssh-bf',
    scenarioHash: 'h',
    scenarioVersion: '0.1',
    message: `Ip ${v} performed something`,
    eventsCount: 6,
    startAt: '2026-11-25T05:00:00.123456789Z',
    stopAt: '2026-11-25T05:00:01.5Z',
    capacity: 5,
    leakspeed: '10s',
    simulated: decisions.some((d) => d.simulated),
    remediation: decisions.length > 0,
    kind: '',
    labels: null,
    source: {
      scope: decisions[0]?.scope ?? 'Ip',
      value: v,
      ip: v,
      range: '',
      asNumber: '',
      asName: '',
      cn: '',
      latitude: 0,
      longitude: 0,
    },
    events: [{ timestamp: '2026-11-25T05:00:00Z', meta: [{ key: 'source_ip', value: v }] }],
    meta: [],
    decisions,
    ...over,
  };
}

export function machine(id: string): MachineRecord {
  return {
    machineId: id,
    passwordHash: 'scrypt$1$2$3$s$h',
    isValidated: true,
    authType: 'password',
    ipAddress: '127.0.0.1',
    version: 'v1.4.6',
    scenarios: 'a,b',
    createdAt: T0,
    updatedAt: T0,
    lastPush: null,
    lastHeartbeat: null,
  };
}

export function bouncer(name: string, hash: string): BouncerRecord {
  return {
    name,
    apiKeyHash: hash,
    revoked: false,
    ipAddress: '127.0.0.1',
    type: 'cs-firewall-bouncer',
    version: 'v0.0.28',
    authType: 'api-key',
    autoCreated: false,
    createdAt: T0,
    updatedAt: T0,
    lastPull: null,
  };
}

/** values of decision records, in order */
export function values(ds: { value: string }[]): string[] {
  return ds.map((d) => d.value);
}
export function ids(ds: { id: number }[]): number[] {
  return ds.map((d) => d.id);
}
