// A throwaway copy of Debian's crowdsec layout for tests: /etc/crowdsec copied into <tmp>/etc, config.yaml's
// paths rewritten into <tmp> (config_dir, data_dir, hub_dir, credentials, acquisition, db_path) and the ports
// set to 0, so nothing of the host's /etc or /var is read or written. Also runs Debian's crowdsec LAPI on the
// copy (a free loopback port, no Central API, no metrics) for cscli commands that need it (decisions add).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../conformance/harness/proc.js';
import { eventually } from '../cli/helpers.js';

export const DEBIAN_ETC = '/etc/crowdsec';

export interface DebianCopy {
  dir: string;
  etc: string;
  data: string;
  hub: string;
  config: string;
  logFile: string;
}

export function debianAvailable(): string | false {
  return fs.existsSync(path.join(DEBIAN_ETC, 'config.yaml'))
    ? false
    : `${DEBIAN_ETC}/config.yaml is missing (Debian's crowdsec package)`;
}

export function debianCopy(prefix: string): DebianCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const etc = path.join(dir, 'etc'),
    data = path.join(dir, 'data'),
    hub = path.join(dir, 'hub');
  fs.cpSync(DEBIAN_ETC, etc, { recursive: true, dereference: false });
  fs.mkdirSync(data, { recursive: true });
  fs.mkdirSync(hub, { recursive: true });
  const logFile = path.join(dir, 'auth.log');
  fs.writeFileSync(logFile, '');
  fs.writeFileSync(path.join(etc, 'acquis.yaml'), `filenames:\n  - ${logFile}\nlabels:\n  type: syslog\n`);
  const config = path.join(etc, 'config.yaml');
  const text = fs
    .readFileSync(config, 'utf8')
    .replaceAll('/etc/crowdsec/', `${etc}/`)
    .replaceAll('/var/lib/crowdsec/hub/', `${hub}/`)
    .replaceAll('/var/lib/crowdsec/data/', `${data}/`)
    .replace(/listen_uri: .*/, 'listen_uri: 127.0.0.1:0')
    .replace(/listen_port: .*/, 'listen_port: 0');
  fs.writeFileSync(config, text);
  return { dir, etc, data, hub, config, logFile };
}

/** cscli on the copy (throws on a non-zero exit) */
export function cscliOn(d: DebianCopy, ...args: string[]): string {
  return execFileSync('cscli', ['-c', d.config, ...args], { stdio: 'pipe', timeout: 30_000 }).toString();
}

/** Makes the copy's LAPI listen on a free port without Central API nor metrics; registers cscli's machine. */
export async function useFreeLapiPort(d: DebianCopy): Promise<number> {
  const port = await freePort();
  const text = fs
    .readFileSync(d.config, 'utf8')
    .replace(/listen_uri: .*/, `listen_uri: 127.0.0.1:${port}`)
    .replace(/prometheus:\n {2}enabled: true/, 'prometheus:\n  enabled: false')
    .replace(/\n {4}online_client:.*\n {6}credentials_path: .*\n/, '\n');
  fs.writeFileSync(d.config, text);
  const creds = path.join(d.etc, 'local_api_credentials.yaml');
  cscliOn(d, 'machines', 'add', '-a', '-f', creds, '--url', `http://127.0.0.1:${port}`, '--force');
  return port;
}

/** Starts Debian's crowdsec (LAPI only) on the copy, waits until cscli reaches it; returns its stop function. */
export async function startCrowdsecLapi(d: DebianCopy): Promise<() => Promise<void>> {
  const cs = spawn('crowdsec', ['-c', d.config, '-no-cs'], { stdio: 'ignore' });
  const exited = new Promise((r) => cs.once('exit', r));
  const stop = async (): Promise<void> => {
    if (cs.exitCode === null) cs.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(
      async () => {
        try {
          cscliOn(d, 'decisions', 'list', '-o', 'json');
          return true;
        } catch {
          return false;
        }
      },
      "crowdsec's LAPI",
      30_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}
