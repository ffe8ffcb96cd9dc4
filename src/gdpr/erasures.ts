// Proof of erasures without the erased address: each erasure is recorded with an HMAC-SHA256 of the address
// keyed with a secret kept in the data folder (`gdpr.key`, created on first use, mode 0600), its time and
// its counts. Whoever knows an address (and has the folder) can show that it was erased; the record alone
// does not reveal it. Owns: the key file, the hash, and the records (sub-database gdprErasures).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PicketStore } from '../store/lmdb.js';
import type { ErasureRecord } from '../store/erase.js';
import { PicketError, errorMessage } from '../core/errors.js';

export const KEY_FILE = 'gdpr.key';

export class GdprError extends PicketError {}

/** the folder's erasure key (32 random bytes, hex in the file), created when missing */
export function erasureKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new GdprError('GDPR_BAD_KEY', `${file}: not a 64-digit hex key`);
    return Buffer.from(hex, 'hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof GdprError) throw e;
      throw new GdprError('GDPR_BAD_KEY', `cannot read ${file}: ${errorMessage(e)}`);
    }
  }
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return erasureKey(dataDir); // created meanwhile
    throw new GdprError('GDPR_BAD_KEY', `cannot create ${file}: ${errorMessage(e)}`);
  }
  return key;
}

export function addressHash(key: Buffer, ip: string): string {
  return crypto.createHmac('sha256', key).update(ip.toLowerCase()).digest('hex');
}

export async function recordErasure(store: PicketStore, r: Omit<ErasureRecord, 'id'>): Promise<ErasureRecord> {
  const id = `${new Date(r.at).toISOString()}-${crypto.randomBytes(4).toString('hex')}`;
  const rec: ErasureRecord = { id, ...r };
  await store.db('gdprErasures').put(id, rec);
  return rec;
}

/** every erasure record, oldest first (optionally those of one address hash) */
export function listErasures(store: PicketStore, hash?: string): ErasureRecord[] {
  const out: ErasureRecord[] = [];
  for (const { value } of store.db('gdprErasures').getRange({}))
    if (hash === undefined || value.addressHash === hash) out.push(value);
  return out;
}
