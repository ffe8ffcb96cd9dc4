// Operator actions of Picket Central (`picket central blocklist|delist|erase|machines`), run from the CLI against
// the store while a server may be running: each one writes the store (curated entries, signals, machines, the
// audit trail) and queues an operation that the running server applies within a second (or the next start).

import crypto from 'node:crypto';
import { PicketError } from '../core/errors.js';
import { hashPassword } from '../lapi/password.js';
import { normaliseAddress, type AddressPolicy } from './ipnet.js';
import { loginProblem, newMachine, passwordProblem } from './machines.js';
import type { CuratedRecord, MachineRecord } from './records.js';
import { pseudonymOf, type CentralSecrets } from './secret.js';
import type { CentralStore } from './store/types.js';

function address(text: string, what: string, policy?: AddressPolicy): { scope: 'Ip' | 'Range'; value: string } {
  const n = normaliseAddress(text);
  if (!n) throw new PicketError('CENTRAL_BAD_ADDRESS', `${what} '${text}': not an IP address or CIDR range`);
  const why = policy?.refuse(n);
  if (why) throw new PicketError('CENTRAL_BAD_ADDRESS', `${what} '${n.value}' ${why}`);
  return { scope: n.scope, value: n.value };
}

export async function addCurated(
  store: CentralStore,
  policy: AddressPolicy,
  o: {
    value: string;
    scenario: string;
    durationMs: number;
    now: number;
  },
): Promise<CuratedRecord> {
  const a = address(o.value, 'blocklist entry', policy);
  if (o.scenario === '' || o.scenario.length > 255)
    throw new PicketError('CENTRAL_BAD_SCENARIO', '--scenario: 1-255 characters');
  const rec: CuratedRecord = { ...a, scenario: o.scenario, until: o.now + o.durationMs, createdAt: o.now };
  await store.putCurated(rec);
  await store.pushOp({ kind: 'curated-add', entry: rec });
  await store.addAudit({ at: o.now, action: 'curated-add', value: rec.value, reason: o.scenario, removed: 0 });
  return rec;
}

export async function deleteCurated(store: CentralStore, text: string, now: number): Promise<boolean> {
  const a = address(text, 'blocklist entry');
  const had = await store.deleteCurated(a.value);
  if (had) {
    await store.pushOp({ kind: 'curated-delete', value: a.value, at: now });
    await store.addAudit({ at: now, action: 'curated-delete', value: a.value, reason: '', removed: 1 });
  }
  return had;
}

/** an appeal: off the list at once (every site's next pull has it in `deleted`), kept off for `holdMs` */
export async function delist(
  store: CentralStore,
  text: string,
  reason: string,
  holdMs: number,
  now: number,
): Promise<void> {
  const a = address(text, '--ip');
  const curated = await store.deleteCurated(a.value);
  await store.pushOp({ kind: 'delist', value: a.value, at: now, holdMs });
  await store.addAudit({
    at: now,
    action: 'delist',
    value: a.value,
    reason: reason.slice(0, 500),
    removed: curated ? 1 : 0,
  });
}

/** erasure: every signal, curated entry and piece of consensus evidence about the address (the audit keeps no
 *  address) */
export async function erase(store: CentralStore, text: string, now: number): Promise<number> {
  const a = address(text, '--ip');
  const n = (await store.eraseSignals(a.value)) + ((await store.deleteCurated(a.value)) ? 1 : 0);
  await store.pushOp({ kind: 'erase', value: a.value, at: now });
  await store.addAudit({ at: now, action: 'erase', value: '', reason: 'erasure request', removed: n });
  return n;
}

/** pre-register a login (CrowdSec's LAPI cannot send an enrolment token); a random password when none given */
export async function addMachine(
  store: CentralStore,
  secrets: CentralSecrets,
  login: string,
  password: string | undefined,
  now: number,
): Promise<{ machine: MachineRecord; password: string }> {
  const why = loginProblem(login);
  if (why) throw new PicketError('CENTRAL_BAD_MACHINE', why);
  const pw = password ?? crypto.randomBytes(32).toString('base64url');
  const pwWhy = passwordProblem(pw);
  if (pwWhy) throw new PicketError('CENTRAL_BAD_MACHINE', pwWhy);
  if (await store.getMachine(login))
    throw new PicketError('CENTRAL_MACHINE_EXISTS', `machine '${login}' already exists`);
  const m = newMachine(login, await hashPassword(pw), pseudonymOf(secrets, login), now, 'cli');
  await store.putMachine(m);
  await store.pushOp({ kind: 'machine-add', login, at: now });
  return { machine: m, password: pw };
}

export async function deleteMachine(store: CentralStore, login: string, now: number): Promise<boolean> {
  const m = await store.getMachine(login);
  if (!m) return false;
  await store.deleteMachine(login);
  await store.pushOp({ kind: 'machine-delete', pseudonym: m.pseudonym, at: now });
  await store.addAudit({ at: now, action: 'machine-delete', value: '', reason: '', removed: 1 });
  return true;
}
