// The `file` notification type: appends each message to `log_path` and, with `rotate.enabled`, rotates as
// CrowdSec's file plugin does — when the file passes `max_size` MB it is renamed `<log_path>.<YYYYMMDD-HHMMSS>`
// (gzipped to `.gz` with `compress`), then backups beyond `max_files` (newest kept) or older than `max_age`
// days are removed. A file moved away by someone else is reopened. Owns the file sender.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { NotificationConfig } from '../config.js';
import { Options, type Sender } from './options.js';

const ROTATE_KEYS = new Set(['enabled', 'max_size', 'max_files', 'max_age', 'compress']);

interface Rotation {
  enabled: boolean;
  maxBytes: number;
  maxFiles: number;
  maxAgeDays: number;
  compress: boolean;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
  return `${day}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function readRotation(o: Options): Rotation {
  const r = o.sub('rotate');
  for (const k of Object.keys(r))
    if (!ROTATE_KEYS.has(k))
      o.fail(`rotate.${k}`, 'unknown key (expected enabled, max_size, max_files, max_age, compress)');
  const num = (k: string): number => {
    const v = r[k];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || v < 0) return o.fail(`rotate.${k}`, 'expected a number ≥ 0');
    return v;
  };
  const flag = (k: string): boolean => {
    const v = r[k];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') return o.fail(`rotate.${k}`, 'expected true or false');
    return v;
  };
  return {
    enabled: flag('enabled'),
    maxBytes: num('max_size') * 1024 * 1024,
    maxFiles: num('max_files'),
    maxAgeDays: num('max_age'),
    compress: flag('compress'),
  };
}

class FileSender implements Sender {
  private fd: number | null = null;
  private ino = 0;
  private size = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly rot: Rotation,
  ) {}

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o644);
    const st = fs.fstatSync(this.fd);
    this.ino = st.ino;
    this.size = st.size;
  }

  /** Reopens when the path no longer names the open file (rotated or removed outside). */
  private ensureOpen(): void {
    if (this.fd !== null) {
      let same: boolean;
      try {
        same = fs.statSync(this.file).ino === this.ino;
      } catch {
        same = false;
      }
      if (same) return;
      fs.closeSync(this.fd);
      this.fd = null;
    }
    this.open();
  }

  private async rotate(): Promise<void> {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    let backup = `${this.file}.${stamp(new Date())}`;
    for (let i = 1; fs.existsSync(backup) || fs.existsSync(backup + '.gz'); i++)
      backup = `${this.file}.${stamp(new Date())}-${i}`;
    fs.renameSync(this.file, backup);
    if (this.rot.compress) {
      await pipeline(fs.createReadStream(backup), zlib.createGzip(), fs.createWriteStream(backup + '.gz'));
      fs.unlinkSync(backup);
    }
    this.prune();
    this.open();
  }

  private prune(): void {
    const dir = path.dirname(this.file),
      base = path.basename(this.file) + '.';
    const backups = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(base) && (!this.rot.compress || f.endsWith('.gz')))
      .sort()
      .reverse();
    const now = Date.now();
    backups.forEach((f, i) => {
      const full = path.join(dir, f);
      const tooOld = this.rot.maxAgeDays > 0 && now - fs.statSync(full).mtimeMs > this.rot.maxAgeDays * 86_400_000;
      if ((this.rot.maxFiles > 0 && i >= this.rot.maxFiles) || tooOld) fs.rmSync(full, { force: true });
    });
  }

  private async write(message: string): Promise<void> {
    this.ensureOpen();
    const buf = Buffer.from(message);
    fs.writeSync(this.fd!, buf);
    this.size += buf.length;
    if (this.rot.enabled && this.rot.maxBytes > 0 && this.size > this.rot.maxBytes) await this.rotate();
  }

  send(message: string): Promise<void> {
    const next = this.chain.then(() => this.write(message));
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

export function fileSender(cfg: NotificationConfig): Sender {
  const o = new Options(cfg);
  const file = o.required('log_path');
  return new FileSender(file, readRotation(o));
}
