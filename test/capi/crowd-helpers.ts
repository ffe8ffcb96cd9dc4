// Fixtures of the crowd end-to-end tests: Picket Central as a child process (`picket central run` on a data
// folder, port 0, restartable), a loopback HTTP proxy between a site and the central that can hold the answers to
// POST /v3/signals (the site then dies before it hears the acknowledgement), attack lines for a tailed auth.log,
// and site A's config file with an online_client section.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { BIN, eventually, picket } from '../cli/helpers.js';

/** a `minimal` signal's fields, in capi.md §4.2's order: only what the protocol requires */
export const MINIMAL_SIGNAL_KEYS = [
  'message',
  'scenario',
  'scenario_hash',
  'scenario_version',
  'scenario_trust',
  'source',
  'start_at',
  'stop_at',
  'uuid',
  'context',
];

/** polls `list` until it has exactly `n` items (bounded) */
export function untilCount<T>(list: () => Promise<T[]>, n: number, what: string, ms = 30_000): Promise<T[]> {
  return eventually(
    async () => {
      const l = await list();
      return l.length === n && l;
    },
    what,
    ms,
  );
}

export interface CentralChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/** `picket central run --listen 127.0.0.1:0 --data DIR [ARGS]`; resolves with its URL */
export async function startCentralChild(dir: string, args: string[] = []): Promise<CentralChild> {
  const child = spawn(process.execPath, [BIN, 'central', 'run', '--listen', '127.0.0.1:0', '--data', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`central run: no URL within 30 s\n${out}`)), 30_000);
    const on = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`central run exited ${code}\n${out}`));
    });
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', (c) => {
          clearTimeout(kill);
          resolve(c);
        });
        child.kill('SIGTERM');
      }),
  };
}

/** signals stored at the central (read from its store by another process, as an operator would) */
export async function centralSignals(dir: string): Promise<number> {
  const r = await picket(['central', 'stats', '-o', 'json', '--data', dir]);
  if (r.code !== 0) throw new Error(`central stats: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { signals_stored: number }).signals_stored;
}

export interface CrowdProxy {
  url: string;
  /** where requests go (null: the central is down, 502) */
  target: string | null;
  /** hold: POST /v3/signals is forwarded, the central's answer is kept from the site */
  hold: boolean;
  /** signal batches the central acknowledged while held */
  held: number;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<CrowdProxy> {
  const held: http.ServerResponse[] = [];
  const state = { target: target as string | null, hold: false, held: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (state.target === null) {
          res.writeHead(502).end();
          return;
        }
        const headers: Record<string, string> = {};
        for (const k of ['content-type', 'authorization', 'user-agent'])
          if (typeof req.headers[k] === 'string') headers[k] = req.headers[k] as string;
        const body = req.method === 'GET' ? undefined : Buffer.concat(chunks);
        let r: Response;
        try {
          r = await fetch(`${state.target}${req.url ?? '/'}`, { method: req.method, headers, body });
        } catch {
          res.writeHead(502).end();
          return;
        }
        const text = await r.text();
        if (state.hold && req.url === '/v3/signals' && r.status === 200) {
          state.held++;
          held.push(res); // the site never hears it
          return;
        }
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(text);
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get target() {
      return state.target;
    },
    set target(t: string | null) {
      state.target = t;
    },
    get hold() {
      return state.hold;
    },
    set hold(h: boolean) {
      state.hold = h;
    },
    get held() {
      return state.held;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** eight failed ssh logins for unknown users from `ip`, stamped now (picket/ssh-bf and ssh-user-enum overflow) */
export function attack(ip: string): string {
  const now = syslogTime(new Date());
  let s = '';
  for (let i = 0; i < 8; i++)
    s += `${now} web01 sshd[${100 + i}]: Failed password for invalid user admin${i} from ${ip} port ${40000 + i} ssh2\n`;
  return s;
}

/** site A's files: an empty auth.log, its acquisition file and a config whose online_client names `creds` */
export function siteFiles(
  dir: string,
  creds: string,
  sharing = 'minimal',
): { log: string; acquis: string; config: string } {
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    `online_client:\n  credentials_path: ${creds}\n  sharing: ${sharing}\n  pull:\n    interval: 1m\n`,
  );
  return { log, acquis, config };
}

export interface SentRow {
  uuid: string;
  sent_at: string;
  url: string;
  body: string;
}

/** `picket capi signals --since 1h -o json` of a data folder */
export async function sentSignals(data: string): Promise<SentRow[]> {
  const r = await picket(['capi', 'signals', '--since', '1h', '-o', 'json', '--data', data]);
  if (r.code !== 0) throw new Error(`capi signals: ${r.stderr}`);
  return JSON.parse(r.stdout) as SentRow[];
}

/** the alerts stored at a site (`picket alerts list -o json`) */
export async function siteAlerts(data: string): Promise<Array<{ uuid: string; scenario: string }>> {
  const r = await picket(['alerts', 'list', '-o', 'json', '--data', data]);
  if (r.code !== 0) throw new Error(`alerts list: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Array<{ uuid: string; scenario: string }> | null) ?? [];
}
