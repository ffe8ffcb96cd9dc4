// journald acquisition (`source: journalctl`): follows `journalctl --follow -n 0 -o json [filters...]`,
// one JSON object per line. CrowdSec (pkg/acquisition/modules/journalctl/run.go) runs journalctl with
// its default `short` output and passes each stdout line as Line.Raw; Picket asks for JSON (robust
// parsing, binary MESSAGE as byte arrays) and rebuilds the same `short` line:
//   `Mmm DD HH:MM:SS hostname identifier[pid]: message`
// (journalctl's "%b %d %H:%M:%S", zero-padded day, local time, from __REALTIME_TIMESTAMP; identifier =
// SYSLOG_IDENTIFIER else _COMM; pid = _PID else SYSLOG_PID; hostname omitted when absent). A multi-line
// MESSAGE gives one line per message line, continuation lines indented to the message column as
// journalctl does. Source name `journalctl-<filters joined by ".">` as in CrowdSec.
// journalctl is restarted with exponential backoff when it exits; its stderr is logged; bad JSON is
// counted and skipped. Back-pressure: stdout is paused while the consumer's promise is pending.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { JournalConfig as JournalSourceConfig } from './source.js';
import { errorMessage } from '../../core/errors.js';

export interface JournaldSourceOptions {
  /** journalctl binary, a path or a name looked up in PATH (default "journalctl") */
  journalctlPath?: string;
  /** start at the end of the journal (`-n 0`, default true, like CrowdSec's tail mode) */
  tail?: boolean;
  /** `--since` value */
  since?: string;
  /** first restart delay, ms (default 1000), doubled up to restartMaxMs (default 30000) */
  restartMinMs?: number;
  restartMaxMs?: number;
  /** longest JSON line kept, bytes (default 1 MiB); longer ones are counted in tooLong and skipped */
  maxLineBytes?: number;
  log?: (msg: string) => void;
}

export interface JournaldStats {
  /** lines handed to the consumer (cs_journalctlsource_hits_total) */
  hits: number;
  /** stdout lines that were not a JSON object */
  malformed: number;
  /** entries without a usable MESSAGE (journalctl prints null for fields over its size limit) */
  noMessage: number;
  tooLong: number;
  stderrLines: number;
  /** journalctl (re)starts after the first one */
  restarts: number;
  consumerErrors: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function fieldString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    // journalctl -o json: a byte array for non-UTF-8/binary values, an array of values for repeated fields
    if (v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
    const first = v.find((x) => typeof x === 'string' || Array.isArray(x));
    return first === undefined ? undefined : fieldString(first);
  }
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** journalctl `short` lines for one JSON entry (empty when the entry has no MESSAGE). */
export function journalEntryLines(e: Record<string, unknown>): string[] | null {
  const msg = fieldString(e.MESSAGE);
  if (msg === undefined) return null;
  const us = Number(fieldString(e.__REALTIME_TIMESTAMP) ?? NaN);
  const d = Number.isFinite(us) ? new Date(Math.floor(us / 1000)) : new Date();
  let prefix = `${MONTHS[d.getMonth()]} ${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const host = fieldString(e._HOSTNAME);
  if (host) prefix += ' ' + host;
  const ident = fieldString(e.SYSLOG_IDENTIFIER) ?? fieldString(e._COMM);
  const pid = fieldString(e._PID) ?? fieldString(e.SYSLOG_PID);
  if (ident) prefix += ' ' + ident;
  if (pid) prefix += `[${pid}]`;
  prefix += ': ';
  const body = msg.endsWith('\n') ? msg.slice(0, -1) : msg;
  if (body.indexOf('\n') < 0) return [prefix + body];
  const parts = body.split('\n');
  const indent = ' '.repeat(prefix.length);
  return parts.map((p, i) => (i === 0 ? prefix : indent) + p);
}

/** Resolves a binary name the way spawn would (PATH lookup); null when not found / not executable. */
export function findExecutable(bin: string): string | null {
  const ok = (p: string): boolean => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (bin.includes('/')) return ok(bin) ? bin : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    if (ok(p)) return p;
  }
  return null;
}

export class JournaldSource {
  readonly stats: JournaldStats = {
    hits: 0,
    malformed: 0,
    noMessage: 0,
    tooLong: 0,
    stderrLines: 0,
    restarts: 0,
    consumerErrors: 0,
  };
  /** `source` label, as CrowdSec names it */
  readonly src: string;
  private readonly o: Required<Omit<JournaldSourceOptions, 'since'>> & { since?: string };
  private child: ChildProcess | null = null;
  private running = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private busy: Promise<void> | null = null;
  private bin = '';

  constructor(
    readonly cfg: JournalSourceConfig,
    private readonly onLines: (src: string, lines: string[]) => void | Promise<void>,
    opts: JournaldSourceOptions = {},
  ) {
    this.src = 'journalctl-' + cfg.journalctlFilter.join('.');
    this.o = {
      journalctlPath: 'journalctl',
      tail: true,
      restartMinMs: 1000,
      restartMaxMs: 30000,
      maxLineBytes: 1 << 20,
      log: (m) => process.stderr.write(`${this.src}: ${m}\n`),
      ...opts,
    };
    this.delay = this.o.restartMinMs;
  }

  /** journalctl arguments (filters last). */
  args(): string[] {
    const a = ['--follow'];
    if (this.o.tail) a.push('-n', '0');
    if (this.o.since) a.push('--since', this.o.since);
    a.push('-o', 'json', ...this.cfg.journalctlFilter);
    return a;
  }

  /** Spawns journalctl; rejects when the binary does not exist or cannot be started. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.src}: already started`);
    const bin = findExecutable(this.o.journalctlPath);
    if (!bin)
      throw new Error(
        `journalctl source: "${this.o.journalctlPath}" not found or not executable (is systemd's journalctl installed and in PATH?)`,
      );
    this.bin = bin;
    this.running = true;
    try {
      await this.spawnOnce();
    } catch (e) {
      this.running = false;
      throw new Error(`journalctl source: cannot start ${bin}: ${errorMessage(e)}`, { cause: e });
    }
  }

  private spawnOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      const startedAt = Date.now();
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.once('error', (e) => {
        if (!spawned) {
          this.child = null;
          reject(e);
          return;
        }
        this.o.log(`journalctl error: ${e.message}`);
      });
      const dec = new StringDecoder('utf8');
      let partial = '';
      let skipping = false;
      const out = child.stdout!;
      out.on('data', (chunk: Buffer) => {
        let text = partial + dec.write(chunk);
        partial = '';
        const lines: string[] = [];
        let start = 0;
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl < 0) break;
          if (skipping) skipping = false;
          else this.entry(text.slice(start, nl), lines);
          start = nl + 1;
        }
        text = text.slice(start);
        if (!skipping) {
          if (text.length > this.o.maxLineBytes) {
            this.stats.tooLong++;
            skipping = true;
          } else partial = text;
        }
        if (lines.length) this.deliver(lines, out);
      });
      out.on('end', () => {
        const rest = partial + dec.end();
        partial = '';
        if (skipping || !rest) return;
        const lines: string[] = [];
        this.entry(rest, lines);
        if (lines.length) this.deliver(lines, out);
      });
      const errDec = new StringDecoder('utf8');
      let errPartial = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        const parts = (errPartial + errDec.write(chunk)).split('\n');
        errPartial = parts.pop()!.slice(0, 4096);
        for (const p of parts)
          if (p) {
            this.stats.stderrLines++;
            this.o.log(`journalctl stderr: ${p}`);
          }
      });
      child.once('close', (code, signal) => {
        if (errPartial) {
          this.stats.stderrLines++;
          this.o.log(`journalctl stderr: ${errPartial}`);
        }
        if (this.child === child) this.child = null;
        if (!spawned || !this.running) return;
        if (Date.now() - startedAt > this.o.restartMaxMs) this.delay = this.o.restartMinMs;
        this.o.log(`journalctl exited (${signal ?? `code ${code}`}), restarting in ${this.delay} ms`);
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.running) return;
      this.stats.restarts++;
      this.spawnOnce().catch((e: Error) => {
        this.o.log(`journalctl restart failed: ${e.message}, retrying in ${this.delay} ms`);
        if (this.running) this.scheduleRestart();
      });
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.o.restartMaxMs);
  }

  private entry(raw: string, lines: string[]): void {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (!raw) return;
    let e: unknown;
    try {
      e = JSON.parse(raw);
    } catch {
      this.stats.malformed++;
      return;
    }
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      this.stats.malformed++;
      return;
    }
    const ls = journalEntryLines(e as Record<string, unknown>);
    if (!ls) {
      this.stats.noMessage++;
      return;
    }
    for (const l of ls) lines.push(l);
  }

  private deliver(lines: string[], out: NodeJS.ReadableStream): void {
    let r: void | Promise<void>;
    try {
      r = this.onLines(this.src, lines);
    } catch (e) {
      this.consumerError(e);
      return;
    }
    if (!r) {
      this.stats.hits += lines.length;
      return;
    }
    out.pause();
    const p = r
      .then(
        () => {
          this.stats.hits += lines.length;
        },
        (e: unknown) => this.consumerError(e),
      )
      .finally(() => {
        if (this.busy === p) this.busy = null;
        out.resume();
      });
    this.busy = p;
  }

  private consumerError(e: unknown): void {
    this.stats.consumerErrors++;
    this.o.log(`consumer error: ${errorMessage(e)}`);
  }

  /** Kills journalctl (no restart) and waits for it to exit and for the consumer call in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 2000);
      await closed;
      clearTimeout(t);
    }
    this.child = null;
    if (this.busy) await this.busy;
  }
}
