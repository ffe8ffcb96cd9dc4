// The LAPI under test, behind one interface: Picket's (`picket run --no-agent`, the default) or CrowdSec 1.4.6's
// (`CONFORMANCE_TARGET=crowdsec`, used to validate the suite itself against the reference). Owns: starting the
// server on a free loopback port with a temp data dir, and the admin operations each offers through its own
// CLI (bouncer keys, machines, decisions), also as shell commands for bouncer-conformance.sh.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cscli,
  startCrowdsecLapi,
  writeCrowdsecConfig,
  type CrowdsecConfig,
  type Credentials,
  readCredentials,
} from './crowdsec.js';
import {
  freePort,
  makeTempDir,
  missingBinaries,
  mustRun,
  startProcess,
  waitFor,
  waitForHttp,
  type Spawned,
} from './proc.js';

export type TargetName = 'picket' | 'crowdsec';

export interface LapiTarget {
  readonly name: TargetName;
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** temp dir holding the target's data, configs and logs (removed by stop) */
  readonly dir: string;
  readonly server: Spawned;
  /** a new bouncer API key */
  addBouncer(name: string): Promise<string>;
  /** a validated machine with this password */
  addMachine(id: string, password: string): Promise<void>;
  /** credentials of a validated machine created at setup (what `cscli`/the agent would use locally) */
  machineCredentials(): Credentials;
  /** shell command printing a new bouncer API key (and nothing else) */
  readonly bouncerKeyCmd: string;
  /** shell command templates ({ip} = the value) adding a 5 min ban / deleting the decisions of an IP */
  readonly addCmd: string;
  readonly delCmd: string;
  addDecision(value: string, duration: string): Promise<void>;
  deleteDecision(value: string): Promise<void>;
  deleteDecisionId(id: number): Promise<void>;
  stop(): Promise<void>;
}

/** The repository root (dist/test/conformance/harness → 4 levels up). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const PICKET_BIN = path.join(REPO, 'bin', 'picket.js');

export function targetName(): TargetName {
  const t = process.env.CONFORMANCE_TARGET ?? 'picket';
  if (t !== 'picket' && t !== 'crowdsec') throw new Error(`CONFORMANCE_TARGET must be picket or crowdsec, not '${t}'`);
  return t;
}

/** Why the target cannot run here (skip reason), or undefined. */
export function targetUnavailable(name: TargetName = targetName()): string | undefined {
  if (name === 'crowdsec') return missingBinaries('crowdsec', 'cscli');
  return fs.existsSync(PICKET_BIN) ? undefined : `${PICKET_BIN} not found`;
}

const isRange = (v: string): boolean => v.includes('/');
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

class PicketTarget implements LapiTarget {
  readonly name = 'picket' as const;
  readonly url: string;
  readonly bouncerKeyCmd: string;
  readonly addCmd: string;
  readonly delCmd: string;
  constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly port: number,
    readonly server: Spawned,
    private readonly bin: string = PICKET_BIN,
  ) {
    this.url = `http://127.0.0.1:${port}/`;
    const cli = `${sq(process.execPath)} ${sq(bin)}`;
    this.bouncerKeyCmd = `${cli} bouncers add conformance-$(date +%s%N) -o raw --data ${sq(dataDir)}`;
    this.addCmd = `${cli} decisions add --ip {ip} --duration 5m --data ${sq(dataDir)}`;
    this.delCmd = `${cli} decisions delete --ip {ip} --data ${sq(dataDir)}`;
  }
  private cli(args: string[]): Promise<string> {
    return mustRun(process.execPath, [this.bin, ...args, '--data', this.dataDir], { timeoutMs: 30_000 });
  }
  async addBouncer(name: string): Promise<string> {
    const key = (await this.cli(['bouncers', 'add', name, '-o', 'raw'])).trim();
    if (!/^\S+$/.test(key))
      throw new Error(`picket bouncers add -o raw printed more than a key: ${JSON.stringify(key)}`);
    return key;
  }
  async addMachine(id: string, password: string): Promise<void> {
    await this.cli(['machines', 'add', id, '--password', password]);
  }
  machineCredentials(): Credentials {
    return readCredentials(path.join(this.dataDir, 'local_api_credentials.yaml'));
  }
  async addDecision(value: string, duration: string): Promise<void> {
    await this.cli(['decisions', 'add', isRange(value) ? '--range' : '--ip', value, '--duration', duration]);
  }
  async deleteDecision(value: string): Promise<void> {
    await this.cli(['decisions', 'delete', isRange(value) ? '--range' : '--ip', value]);
  }
  async deleteDecisionId(id: number): Promise<void> {
    await this.cli(['decisions', 'delete', '--id', String(id)]);
  }
  async stop(): Promise<void> {
    await this.server.stop();
    if (!process.env.KEEP_CONFORMANCE_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

class CrowdsecTarget implements LapiTarget {
  readonly name = 'crowdsec' as const;
  readonly url: string;
  readonly bouncerKeyCmd: string;
  readonly addCmd: string;
  readonly delCmd: string;
  private machines = 0;
  constructor(
    readonly dir: string,
    readonly cfg: CrowdsecConfig,
    readonly port: number,
    readonly server: Spawned,
  ) {
    this.url = `http://127.0.0.1:${port}/`;
    this.bouncerKeyCmd = `cscli -c ${sq(cfg.configFile)} bouncers add conformance-$(date +%s%N) -o raw`;
    this.addCmd = `cscli -c ${sq(cfg.configFile)} decisions add -d 5m -i {ip}`;
    this.delCmd = `cscli -c ${sq(cfg.configFile)} decisions delete -i {ip}`;
  }
  async addBouncer(name: string): Promise<string> {
    return (await cscli(this.cfg, ['bouncers', 'add', name, '-o', 'raw'])).trim();
  }
  async addMachine(id: string, password: string): Promise<void> {
    const file = path.join(this.dir, `machine-${++this.machines}.yaml`);
    await cscli(this.cfg, [
      'machines',
      'add',
      id,
      '--password',
      password,
      '-f',
      file,
      '--url',
      this.url.slice(0, -1),
      '--force',
    ]);
  }
  machineCredentials(): Credentials {
    return readCredentials(this.cfg.credentialsFile);
  }
  async addDecision(value: string, duration: string): Promise<void> {
    await cscli(this.cfg, ['decisions', 'add', isRange(value) ? '-r' : '-i', value, '-d', duration]);
  }
  async deleteDecision(value: string): Promise<void> {
    await cscli(this.cfg, ['decisions', 'delete', isRange(value) ? '-r' : '-i', value]);
  }
  async deleteDecisionId(id: number): Promise<void> {
    await cscli(this.cfg, ['decisions', 'delete', '--id', String(id)]);
  }
  async stop(): Promise<void> {
    await this.server.stop();
    if (!process.env.KEEP_CONFORMANCE_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts Picket's LAPI (`picket run --no-agent`) on a free loopback port with a fresh data dir. `bin`: another
 * build's bin/picket.js (benchmarks comparing builds); `nodeArgs`: node flags before it (e.g. --cpu-prof).
 */
export async function startPicketLapi(
  dir = makeTempDir('picket-conf-'),
  opts: { bin?: string; nodeArgs?: readonly string[] } = {},
): Promise<PicketTarget> {
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const bin = opts.bin ?? PICKET_BIN;
  const server = startProcess(
    'picket-lapi',
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      bin,
      'run',
      '--no-agent',
      '--listen',
      `127.0.0.1:${port}`,
      '--metrics',
      'off',
      '--data',
      dataDir,
    ],
    { cwd: REPO, logDir: dir },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${port}/v1/heartbeat`, 30_000, server);
    // the credentials file may be written just after the server starts answering
    await waitFor('local_api_credentials.yaml in the data dir', 10_000, () =>
      fs.existsSync(path.join(dataDir, 'local_api_credentials.yaml')),
    );
  } catch (err) {
    await server.stop();
    throw err;
  }
  return new PicketTarget(dir, dataDir, port, server, bin);
}

/** Starts CrowdSec 1.4.6's LAPI (`crowdsec -no-cs`, SQLite) on a free loopback port with a local machine for cscli. */
export async function startCrowdsecTarget(
  dir = makeTempDir('crowdsec-conf-'),
  options: { serverLogLevel?: string } = {},
): Promise<CrowdsecTarget> {
  const port = await freePort();
  const cfg = writeCrowdsecConfig(dir, { lapiPort: port, ...options });
  await cscli(cfg, [
    'machines',
    'add',
    'local-machine',
    '--auto',
    '-f',
    cfg.credentialsFile,
    '--url',
    `http://127.0.0.1:${port}`,
    '--force',
  ]);
  const server = await startCrowdsecLapi(cfg, port);
  return new CrowdsecTarget(dir, cfg, port, server);
}

export function startTarget(name: TargetName = targetName()): Promise<LapiTarget> {
  return name === 'crowdsec' ? startCrowdsecTarget() : startPicketLapi();
}
