// The local CLI's credentials (cscli's `local_api_credentials.yaml`: url, login, password; mode 0600): on
// first start a validated machine is created for the CLI and the file written; later starts reuse it, and
// recreate the machine if the store lost it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LapiStore } from '../store/records.js';
import { readCredentials, writeCredentials } from '../config/credentials.js';
import { hashPassword, verifyPassword } from './password.js';

export const CREDENTIALS_FILE = 'local_api_credentials.yaml';

function localMachineId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '')
      .slice(0, 48) || 'localhost';
  return `${host}-picket-cli`;
}

export async function ensureLocalCredentials(
  store: LapiStore,
  dataDir: string,
  url: string,
): Promise<{ login: string; password: string; created: boolean }> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const existing = fs.existsSync(file) ? readCredentials(file) : null;
  const now = Date.now();
  if (existing !== null) {
    const m = store.getMachine(existing.login);
    if (m !== undefined && m.isValidated && (await verifyPassword(existing.password, m.passwordHash))) {
      if (existing.url !== url) writeCredentials(file, { ...existing, url });
      return { login: existing.login, password: existing.password, created: false };
    }
  }
  const login = existing?.login ?? localMachineId();
  const password = existing?.password ?? crypto.randomBytes(36).toString('base64url');
  const prev = store.getMachine(login);
  await store.putMachine({
    machineId: login,
    passwordHash: await hashPassword(password),
    isValidated: true,
    authType: 'password',
    ipAddress: prev?.ipAddress ?? '127.0.0.1',
    version: prev?.version ?? '',
    scenarios: prev?.scenarios ?? '',
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    lastPush: prev?.lastPush ?? null,
    lastHeartbeat: prev?.lastHeartbeat ?? null,
  });
  writeCredentials(file, { url, login, password });
  return { login, password, created: true };
}
