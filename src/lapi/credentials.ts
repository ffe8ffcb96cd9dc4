// The local CLI's credentials (cscli's `local_api_credentials.yaml`: url, login, password; mode 0600): on
// first start a validated machine is created for the CLI and the file written; later starts reuse it, and
// recreate the machine if the store lost it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { LapiStore } from '../store/records.js';
import { hashPassword, verifyPassword } from './password.js';

export const CREDENTIALS_FILE = 'local_api_credentials.yaml';

function localMachineId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 48) || 'localhost';
  return `${host}-picket-cli`;
}

function readCredentials(file: string): { url: string; login: string; password: string } | null {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  let doc: unknown;
  try { doc = YAML.parse(text); } catch (e) { throw new Error(`${file}: not valid YAML: ${(e as Error).message}`); }
  const d = doc as Record<string, unknown> | null;
  if (d === null || typeof d !== 'object' || typeof d.login !== 'string' || typeof d.password !== 'string') {
    throw new Error(`${file}: 'login' and 'password' are required`);
  }
  return { url: typeof d.url === 'string' ? d.url : '', login: d.login, password: d.password };
}

export async function ensureLocalCredentials(store: LapiStore, dataDir: string, url: string): Promise<{ login: string; password: string; created: boolean }> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const existing = readCredentials(file);
  const now = Date.now();
  if (existing !== null) {
    const m = store.getMachine(existing.login);
    if (m !== undefined && m.isValidated && (await verifyPassword(existing.password, m.passwordHash))) {
      if (existing.url !== url) writeCredentials(file, url, existing.login, existing.password);
      return { login: existing.login, password: existing.password, created: false };
    }
  }
  const login = existing?.login ?? localMachineId();
  const password = existing?.password ?? crypto.randomBytes(36).toString('base64url');
  const prev = store.getMachine(login);
  await store.putMachine({
    machineId: login, passwordHash: await hashPassword(password), isValidated: true, authType: 'password',
    ipAddress: prev?.ipAddress ?? '127.0.0.1', version: prev?.version ?? '', scenarios: prev?.scenarios ?? '',
    createdAt: prev?.createdAt ?? now, updatedAt: now, lastPush: prev?.lastPush ?? null, lastHeartbeat: prev?.lastHeartbeat ?? null,
  });
  writeCredentials(file, url, login, password);
  return { login, password, created: true };
}

function writeCredentials(file: string, url: string, login: string, password: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, YAML.stringify({ url, login, password }), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
