// Child processes, temp dirs and ports for the conformance suite and the LAPI benchmark. Owns: spawning
// every external program in its own process group with its output in a log file, killing them all (also
// when a test fails or the runner exits), free loopback ports, and waiting for a condition with a deadline.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Spawned {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** file receiving stdout and stderr */
  readonly logFile: string;
  /** resolves with the exit code (or signal name) once the process has exited */
  readonly exited: Promise<number | string>;
  /** the last lines of the log file */
  tail(lines?: number): string;
  /** SIGTERM the whole process group, SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Spawned>();
const killRunning = (): void => {
  for (const p of running) killGroup(p.pid, 'SIGKILL');
};
process.once('exit', killRunning);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    killRunning();
    process.exit(code);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

export function tailFile(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logDir: string;
  stdin?: 'ignore' | 'pipe';
}

/** Starts `cmd args` in a new process group; output goes to `logDir/<name>.log`. */
export function startProcess(name: string, cmd: string, args: readonly string[], opts: SpawnOptions): Spawned {
  const logFile = path.join(opts.logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: [opts.stdin ?? 'ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  let done = false;
  const proc: Spawned = {
    name,
    child,
    pid,
    logFile,
    exited,
    tail: (lines) => tailFile(logFile, lines),
    async stop(graceMs = 3000) {
      if (!done) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      if (running.has(proc)) killGroup(pid, 'SIGKILL'); // members of its group that outlived it
      running.delete(proc);
    },
  };
  void exited.then(() => {
    done = true;
  });
  running.add(proc);
  return proc;
}

/** Stops every process started through this module and still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export interface RunResult {
  code: number | string;
  stdout: string;
  stderr: string;
}
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/**
 * Runs a command to completion without blocking the event loop (in-process proxies keep serving); killed after
 * `timeoutMs`.
 */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {
      /* the command did not read its input */
    });
    child.stdin.end(opts.input ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs ?? 60_000);
    const finish = (code: number | string, extra = ''): void => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
      });
    };
    child.once('error', (e) => finish(-1, `\n${e.message}`));
    child.once('close', (code, signal) =>
      finish(code ?? signal ?? -1, timedOut ? `\n(killed after ${opts.timeoutMs ?? 60_000} ms)` : ''),
    );
  });
}

/** Runs a command and returns its stdout; throws with the command, exit code and output on failure. */
export async function mustRun(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCommand(cmd, args, opts);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`,
    );
  return r.stdout;
}

/** Path of an executable found in PATH, or undefined. */
export function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The reason a test must be skipped because one of `bins` is not installed, or undefined. */
export function missingBinaries(...bins: string[]): string | undefined {
  const missing = bins.filter((b) => which(b) === undefined);
  return missing.length
    ? `not installed: ${missing.join(', ')} (apt-get install crowdsec crowdsec-custom-bouncer crowdsec-firewall-bouncer nftables wrk)`
    : undefined;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Thrown by a `waitFor` check to stop waiting at once (e.g. the awaited process died). */
export class GiveUp extends Error {}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastErr = err;
    }
    if (Date.now() >= end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`,
      );
    await sleep(everyMs);
  }
}

/** Resolves once an HTTP server answers anything at `url` (any status). */
export async function waitForHttp(url: string, timeoutMs: number, proc?: Spawned): Promise<void> {
  let exit: number | string | undefined;
  void proc?.exited.then((c) => {
    exit = c;
  });
  await waitFor(
    `${url} to answer`,
    timeoutMs,
    async () => {
      if (exit !== undefined) throw new GiveUp(`${proc?.name} exited (${exit}) before answering:\n${proc?.tail(20)}`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    },
    200,
  );
}
