// Shared test helpers for the CLI suites: a `picket run` child (LAPI only, or agent + LAPI) on a free
// loopback port whose URL is read from its stderr, and running `picket ...` commands as child processes.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'bin/picket.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** runs `picket ARGS` (bounded to 60 s) */
export function picket(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as NodeJS.ErrnoException).code === 'number'
            ? (err as unknown as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export interface RunningPicket {
  url: string;
  dir: string;
  data: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, waits for the exit code */
  stop(): Promise<number | null>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** spawns `picket run ARGS --listen 127.0.0.1:0 --metrics off --data <tmp>/data` and waits for the LAPI URL */
export async function startPicket(args: string[], given?: string): Promise<RunningPicket> {
  const dir = given ?? tempDir('picket-cli-');
  const data = path.join(dir, 'data');
  const child = spawn(process.execPath, [BIN, 'run', ...args, '--listen', '127.0.0.1:0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no LAPI URL within 30 s\nstderr:${err}`));
    }, 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /Local API on (https?:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`picket run exited (${c})\nstderr:${err}`));
    });
  }).catch((e: Error) => {
    if (given === undefined) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    url,
    dir,
    data,
    child,
    stdout: () => out,
    stderr: () => err,
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', (c) => {
          clearTimeout(kill);
          resolve(c);
        });
        child.kill('SIGTERM');
      }),
  };
}

/** polls `fn` until it returns a truthy value (bounded) */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
