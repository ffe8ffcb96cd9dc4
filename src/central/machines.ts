// CAPI logins of Picket Central: registration (POST /watchers, behind the RegistrationGate), password check at
// login, and a write-behind cache of the machine records so pushes and pulls never wait for the store (changed
// records are written by `flush`, called on the server's second tick). Each record keeps only the login, its
// pseudonym, the password hash, the /24 or /48 and AS it connects from and counters, never its address.

import { hashPassword, verifyPassword } from '../lapi/password.js';
import type { MachineRecord } from './records.js';
import { pseudonymOf, type CentralSecrets } from './secret.js';
import type { CentralStore } from './store/types.js';

export function newMachine(
  login: string,
  passwordHash: string,
  pseudonym: string,
  now: number,
  source: 'api' | 'cli',
): MachineRecord {
  return {
    login,
    pseudonym,
    passwordHash,
    registeredAt: now,
    network: '',
    asn: 0,
    scenarios: [],
    lastLogin: null,
    lastPush: null,
    lastPull: null,
    signals: 0,
    certifiedSignals: 0,
    source,
    enrolledAt: null,
    enrollName: '',
    metricsAt: null,
  };
}

/** login ids: CrowdSec's are 48 alphanumerics; Picket accepts 1-128 of [A-Za-z0-9._@-] */
export function loginProblem(login: unknown): string | null {
  if (typeof login !== 'string' || login === '') return 'machine_id: required';
  if (login.length > 128 || !/^[A-Za-z0-9._@-]+$/.test(login))
    return 'machine_id: 1-128 characters among A-Z a-z 0-9 . _ @ -';
  return null;
}

export function passwordProblem(pw: unknown): string | null {
  if (typeof pw !== 'string' || pw === '') return 'password: required';
  if (pw.length < 8 || pw.length > 256) return 'password: 8 to 256 characters';
  return null;
}

export class Machines {
  private readonly cache = new Map<string, MachineRecord>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly store: CentralStore,
    private readonly secrets: CentralSecrets,
  ) {}

  async get(login: string): Promise<MachineRecord | undefined> {
    const hit = this.cache.get(login);
    if (hit) return hit;
    const m = await this.store.getMachine(login);
    if (m) this.cache.set(login, m);
    return m;
  }

  /** a login registered by POST /watchers; null when it exists */
  async create(
    login: string,
    password: string,
    now: number,
    where: { network: string; asn: number },
  ): Promise<MachineRecord | null> {
    if (await this.get(login)) return null;
    const m = {
      ...newMachine(login, await hashPassword(password), pseudonymOf(this.secrets, login), now, 'api'),
      ...where,
    };
    this.cache.set(login, m);
    await this.store.putMachine(m);
    return m;
  }

  async authenticate(login: string, password: string): Promise<MachineRecord | null> {
    const m = await this.get(login);
    if (!m || !(await verifyPassword(password, m.passwordHash))) return null;
    return m;
  }

  touch(m: MachineRecord): void {
    this.dirty.add(m.login);
  }

  /** a record changed or deleted by another process (CLI) */
  evict(login: string): void {
    this.cache.delete(login);
    this.dirty.delete(login);
  }

  cached(): IterableIterator<MachineRecord> {
    return this.cache.values();
  }

  async flush(): Promise<void> {
    const logins = [...this.dirty];
    this.dirty.clear();
    for (const l of logins) {
      const m = this.cache.get(l);
      if (m) await this.store.putMachine(m);
    }
  }
}
