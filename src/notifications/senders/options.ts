// Typed reading of a notification's own keys (NotificationConfig.options) for the senders: strings, booleans,
// integers, string lists and maps, Go durations, with errors naming the file, line and key. Also the Sender
// contract every type implements.

import { parseGoDuration } from '../../core/gotime.js';
import { NotificationConfigError, type NotificationConfig } from '../config.js';

/** Delivers one rendered message; rejects on failure (the dispatcher retries). */
export interface Sender {
  send(message: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Test and embedding hooks that are not part of CrowdSec's YAML. */
export interface SenderHooks {
  /** extra PEM CA trusted by the email sender (CrowdSec's email plugin has no CA key) */
  emailCa?: string;
}

export class Options {
  constructor(private readonly cfg: NotificationConfig) {}

  fail(key: string, why: string): never {
    const where = this.cfg.keyWhere[key] ?? this.cfg.keyWhere[key.split(/[.[]/)[0]!] ?? this.cfg.where;
    throw new NotificationConfigError(`${where}: ${key}: ${why} (notification '${this.cfg.name}')`);
  }

  has(key: string): boolean {
    const v = this.cfg.options[key];
    return v !== undefined && v !== null && v !== '';
  }

  str(key: string, dflt = ''): string {
    const v = this.cfg.options[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(key, 'expected a string');
  }

  required(key: string): string {
    const s = this.str(key);
    if (s === '') this.fail(key, 'missing (required)');
    return s;
  }

  url(key: string): URL {
    const s = this.required(key);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return this.fail(key, `'${s}' is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') this.fail(key, `'${s}' is not an http(s) URL`);
    return u;
  }

  bool(key: string): boolean {
    const v = this.cfg.options[key];
    if (v === undefined || v === null || v === '') return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.fail(key, 'expected true or false');
  }

  int(key: string, dflt: number): number {
    const v = this.cfg.options[key];
    if (v === undefined || v === null || v === '') return dflt;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return this.fail(key, 'expected a whole number ≥ 0');
    return n;
  }

  durationMs(key: string, dflt: number): number {
    const s = this.str(key);
    if (s === '') return dflt;
    try {
      return parseGoDuration(s) / 1e6;
    } catch {
      return this.fail(key, `'${s}' is not a duration (e.g. 10s)`);
    }
  }

  list(key: string): string[] {
    const v = this.cfg.options[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(key, 'expected a list');
    return v.map((x, i) =>
      typeof x === 'string' || typeof x === 'number' ? String(x) : this.fail(`${key}[${i}]`, 'expected a string'),
    );
  }

  map(key: string): Record<string, string> {
    const v = this.cfg.options[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(key, 'expected a mapping');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
        this.fail(`${key}.${k}`, 'expected a string');
      out[k] = String(x);
    }
    return out;
  }

  sub(key: string): Record<string, unknown> {
    const v = this.cfg.options[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(key, 'expected a mapping');
    return v as Record<string, unknown>;
  }
}
