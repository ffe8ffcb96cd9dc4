// A throwaway PostgreSQL cluster for tests and the bench: Debian's postgresql binaries (initdb, pg_ctl from
// /usr/lib/postgresql/<v>/bin) on a temporary folder, listening on 127.0.0.1 at a free port, trust
// authentication. As root they run as the `postgres` user (initdb refuses root). `startCluster` returns null
// with the reason when the binaries or the user are missing, so callers can skip with that message.

import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface PgCluster {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    return null;
  }
  for (const v of versions) if (fs.existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function startCluster(): Promise<PgCluster | { skip: string }> {
  const bin = binDir();
  if (!bin) return { skip: 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt install postgresql)' };
  const asRoot = process.getuid?.() === 0;
  let uid = -1,
    gid = -1;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    } catch {
      return { skip: 'running as root and there is no postgres user to run initdb/pg_ctl as' };
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-pg-'));
  if (asRoot) fs.chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const sh = (cmd: string, args: string[]) =>
    asRoot
      ? exec('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { timeout: 60_000 })
      : exec(path.join(bin, cmd), args, { timeout: 60_000 });
  const port = await freePort();
  try {
    await sh('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await sh('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `could not start a PostgreSQL cluster: ${(e as Error).message.split('\n')[0]}` };
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await sh('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
