// Server secrets of Picket Central, kept in the data folder (`central-secret.json`, mode 0600, created on first
// use): the key of the reporter pseudonyms (HMAC-SHA256 of the login; rotate yearly by replacing the file, which
// also cuts the link between old and new pseudonyms) and the JWT signing key (tokens survive restarts).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PicketError } from '../core/errors.js';

export const SECRET_FILE = 'central-secret.json';

export interface CentralSecrets {
  pseudonymKey: Buffer;
  jwtKey: Buffer;
}

export function loadSecrets(dataDir: string): CentralSecrets {
  const file = path.join(path.resolve(dataDir), SECRET_FILE);
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PicketError('CENTRAL_SECRET', `${file}: ${(e as Error).message}`);
    }
  }
  if (text === null) {
    const fresh = {
      pseudonym_key: crypto.randomBytes(32).toString('base64'),
      jwt_key: crypto.randomBytes(64).toString('base64'),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, JSON.stringify(fresh) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new PicketError('CENTRAL_SECRET', `${file}: ${(e as Error).message}`);
    }
    text = fs.readFileSync(file, 'utf8'); // another process may have won the race
  }
  let raw: { pseudonym_key?: unknown; jwt_key?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (e) {
    throw new PicketError('CENTRAL_SECRET', `${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof raw.pseudonym_key !== 'string' || typeof raw.jwt_key !== 'string') {
    throw new PicketError('CENTRAL_SECRET', `${file}: pseudonym_key and jwt_key (base64 strings) expected`);
  }
  const pseudonymKey = Buffer.from(raw.pseudonym_key, 'base64');
  const jwtKey = Buffer.from(raw.jwt_key, 'base64');
  if (pseudonymKey.length < 16 || jwtKey.length < 32) {
    throw new PicketError('CENTRAL_SECRET', `${file}: keys too short (pseudonym_key >= 16 bytes, jwt_key >= 32)`);
  }
  return { pseudonymKey, jwtKey };
}

/** the reporter pseudonym of a login */
export function pseudonymOf(secrets: CentralSecrets, login: string): string {
  return crypto.createHmac('sha256', secrets.pseudonymKey).update(login).digest('base64url').slice(0, 22);
}
