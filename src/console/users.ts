// Console users: a small JSON file `console-users.json` in the data folder (mode 0600) holding each user's
// name and scrypt password hash (node:crypto, per-user random salt). Owns: add, delete, list and verify.
// Written by `picket console users …` and read by the console on every login (so CLI changes apply at once).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PicketError } from '../core/errors.js';

export const USERS_FILE = 'console-users.json';
const NAME_RE = /^[\w.@-]{1,64}$/;
const KEY_LEN = 64;
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export interface ConsoleUser {
  name: string;
  salt: string;
  hash: string;
  createdAt: number;
}

export class ConsoleUserError extends PicketError {}

function fileOf(dataDir: string): string {
  return path.join(dataDir, USERS_FILE);
}

export function readUsers(dataDir: string): ConsoleUser[] {
  let text: string;
  try {
    text = fs.readFileSync(fileOf(dataDir), 'utf8');
  } catch {
    return [];
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ConsoleUserError('CONSOLE_BAD_USERS_FILE', `${fileOf(dataDir)}: not valid JSON`);
  }
  if (!Array.isArray(v))
    throw new ConsoleUserError('CONSOLE_BAD_USERS_FILE', `${fileOf(dataDir)}: expected a JSON array`);
  return v.filter(
    (u): u is ConsoleUser =>
      u !== null &&
      typeof u === 'object' &&
      typeof (u as ConsoleUser).name === 'string' &&
      typeof (u as ConsoleUser).salt === 'string' &&
      typeof (u as ConsoleUser).hash === 'string',
  );
}

function writeUsers(dataDir: string, users: ConsoleUser[]): void {
  const file = fileOf(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

function hashOf(password: string, salt: string): Buffer {
  return crypto.scryptSync(password, Buffer.from(salt, 'base64'), KEY_LEN, SCRYPT);
}

export function addUser(dataDir: string, name: string, password: string, now = Date.now()): ConsoleUser {
  if (!NAME_RE.test(name))
    throw new ConsoleUserError('CONSOLE_BAD_USER', `user name '${name}': 1-64 letters, digits, . @ _ -`);
  if (password.length < 8) throw new ConsoleUserError('CONSOLE_BAD_PASSWORD', 'password: at least 8 characters');
  const users = readUsers(dataDir);
  if (users.some((u) => u.name === name))
    throw new ConsoleUserError('CONSOLE_USER_EXISTS', `user '${name}' already exists`);
  const salt = crypto.randomBytes(16).toString('base64');
  const user = { name, salt, hash: hashOf(password, salt).toString('base64'), createdAt: now };
  writeUsers(dataDir, [...users, user]);
  return user;
}

export function deleteUser(dataDir: string, name: string): boolean {
  const users = readUsers(dataDir);
  const kept = users.filter((u) => u.name !== name);
  if (kept.length === users.length) return false;
  writeUsers(dataDir, kept);
  return true;
}

/** true when `name` exists and `password` matches (constant-time compare; unknown users cost a hash too) */
export function verifyUser(dataDir: string, name: string, password: string): boolean {
  const u = readUsers(dataDir).find((x) => x.name === name);
  const salt = u?.salt ?? 'AAAAAAAAAAAAAAAAAAAAAA==';
  const got = hashOf(password, salt);
  const want = u ? Buffer.from(u.hash, 'base64') : Buffer.alloc(KEY_LEN);
  return u !== undefined && want.length === got.length && crypto.timingSafeEqual(got, want);
}
