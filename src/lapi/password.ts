// Machine (watcher) password hashing: `scrypt$N$r$p$<salt b64>$<hash b64>` with node:crypto and a
// timing-safe comparison. CrowdSec stores bcrypt hashes: machines imported from its database keep them and
// are verified with bcryptjs (pure JS); new machines get scrypt hashes from node's standard library.
// Hashing runs on libuv's thread pool (async scrypt).

import crypto from 'node:crypto';

const N = 16384,
  R = 8,
  P = 1,
  KEY_LEN = 32,
  SALT_LEN = 16;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, len, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_LEN);
  const key = await scrypt(password, salt, N, R, P, KEY_LEN);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** true when `password` matches `stored`; false for a wrong password or a hash this module cannot read.
 *  bcrypt hashes (`$2a$...`) are machines imported from CrowdSec's database (`picket import crowdsec`). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (/^\$2[aby]\$\d\d\$/.test(stored)) return (await import('bcryptjs')).default.compare(password, stored);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const n = Number(parts[1]),
    r = Number(parts[2]),
    p = Number(parts[3]);
  if (
    !Number.isInteger(n) ||
    !Number.isInteger(r) ||
    !Number.isInteger(p) ||
    n < 2 ||
    n > 1 << 20 ||
    r < 1 ||
    r > 32 ||
    p < 1 ||
    p > 16
  )
    return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0) return false;
  const key = await scrypt(password, salt, n, r, p, expected.length);
  return crypto.timingSafeEqual(key, expected);
}
