// CrowdSec 1.4.6 (Debian packages) as a real peer: isolated config directories in a temp dir (loopback only,
// no central API), the LAPI (`crowdsec -no-cs`), the agent (`crowdsec -no-api`) and `cscli` run against
// them. Owns: the config files these programs read and the commands that start them.

import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { mustRun, startProcess, waitForHttp, type Spawned } from './proc.js';

/** A cscli-format `local_api_credentials.yaml` (url, login, password). */
export interface Credentials {
  url: string;
  login: string;
  password: string;
}

export const HUB = '/usr/share/crowdsec/hub';

export function writeCredentials(file: string, c: Credentials): void {
  fs.writeFileSync(file, stringify({ url: c.url, login: c.login, password: c.password }), { mode: 0o600 });
}

export function readCredentials(file: string): Credentials {
  const text = fs.readFileSync(file, 'utf8');
  const get = (k: string): string => {
    const m = new RegExp(`^${k}:\\s*"?([^"\\n]*)"?\\s*$`, 'm').exec(text);
    if (!m) throw new Error(`${file}: no '${k}:' line`);
    return m[1]!.trim();
  };
  return { url: get('url'), login: get('login'), password: get('password') };
}

export interface CrowdsecConfigOptions {
  /** serve the LAPI on 127.0.0.1:port (omit for a client-only config) */
  lapiPort?: number;
  /** log files the agent tails as `type: syslog` */
  acquisFiles?: string[];
  /** enable the hub's sshd parsers and the ssh-bf scenario (symlinks into the hub snapshot) */
  sshd?: boolean;
  /** LAPI log level (default info; `error` keeps request logging out of a benchmark) */
  serverLogLevel?: string;
  /** SQLite write-ahead log (default: unset, CrowdSec's own default) */
  useWal?: boolean;
}

export interface CrowdsecConfig {
  dir: string;
  configFile: string;
  /** the credentials file cscli and the agent use to reach a LAPI */
  credentialsFile: string;
  logDir: string;
}

/** Writes an isolated CrowdSec configuration under `dir` (created). */
export function writeCrowdsecConfig(dir: string, o: CrowdsecConfigOptions = {}): CrowdsecConfig {
  const etc = path.join(dir, 'etc');
  const logDir = path.join(dir, 'logs');
  for (const d of ['etc', 'data', 'logs', 'hub', 'etc/notifications'])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'hub', '.index.json'),
    fs.existsSync(path.join(HUB, '.index.json')) ? fs.readFileSync(path.join(HUB, '.index.json')) : '{}',
  );
  for (const f of ['profiles.yaml', 'simulation.yaml']) {
    const src = path.join('/etc/crowdsec', f);
    fs.writeFileSync(
      path.join(etc, f),
      fs.existsSync(src) ? fs.readFileSync(src) : f === 'simulation.yaml' ? 'simulation: off\n' : '',
    );
  }
  if (fs.existsSync('/etc/crowdsec/patterns')) fs.symlinkSync('/etc/crowdsec/patterns', path.join(etc, 'patterns'));
  const acquis = (o.acquisFiles ?? [])
    .map((f) => stringify({ filenames: [f], labels: { type: 'syslog' } }))
    .join('---\n');
  fs.writeFileSync(path.join(etc, 'acquis.yaml'), acquis);
  if (o.sshd) {
    for (const item of [
      'parsers/s00-raw/crowdsecurity/syslog-logs.yaml',
      'parsers/s01-parse/crowdsecurity/sshd-logs.yaml',
      'parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml',
      'scenarios/crowdsecurity/ssh-bf.yaml',
    ]) {
      const parts = item.split('/');
      const dst = path.join(etc, ...parts.slice(0, -2), parts[parts.length - 1]!);
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.symlinkSync(path.join(HUB, item), dst);
    }
  }
  const credentialsFile = path.join(etc, 'local_api_credentials.yaml');
  const config: Record<string, unknown> = {
    common: { daemonize: false, log_media: 'stdout', log_level: 'info', log_dir: logDir, working_dir: '.' },
    config_paths: {
      config_dir: etc + '/',
      data_dir: path.join(dir, 'data') + '/',
      simulation_path: path.join(etc, 'simulation.yaml'),
      hub_dir: path.join(dir, 'hub') + '/',
      index_path: path.join(dir, 'hub', '.index.json'),
      notification_dir: path.join(etc, 'notifications') + '/',
      plugin_dir: '/usr/lib/crowdsec/plugins/',
    },
    crowdsec_service: { acquisition_path: path.join(etc, 'acquis.yaml'), parser_routines: 1 },
    cscli: { output: 'human', color: false },
    db_config: {
      log_level: 'error',
      type: 'sqlite',
      db_path: path.join(dir, 'data', 'crowdsec.db'),
      ...(o.useWal !== undefined ? { use_wal: o.useWal } : {}),
    },
    plugin_config: { user: 'nobody', group: 'nogroup' },
    api: {
      client: { insecure_skip_verify: false, credentials_path: credentialsFile },
      ...(o.lapiPort !== undefined
        ? {
            server: {
              log_level: o.serverLogLevel ?? 'info',
              listen_uri: `127.0.0.1:${o.lapiPort}`,
              profiles_path: path.join(etc, 'profiles.yaml'),
              console_path: path.join(etc, 'console.yaml'),
              trusted_ips: ['127.0.0.1', '::1'],
            },
          }
        : {}),
    },
    prometheus: { enabled: false },
  };
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, stringify(config));
  return { dir, configFile, credentialsFile, logDir };
}

/** Runs `cscli -c <config> args` to completion, returns stdout, throws with the output on a non-zero exit. */
export function cscli(cfg: CrowdsecConfig, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return mustRun('cscli', ['-c', cfg.configFile, ...args], { timeoutMs });
}

/** Starts CrowdSec's LAPI on 127.0.0.1:port with the config (which must have `lapiPort`), waits until it answers. */
export async function startCrowdsecLapi(cfg: CrowdsecConfig, port: number): Promise<Spawned> {
  const proc = startProcess('crowdsec-lapi', 'crowdsec', ['-c', cfg.configFile, '-no-cs'], {
    cwd: cfg.dir,
    logDir: cfg.logDir,
  });
  await waitForHttp(`http://127.0.0.1:${port}/v1/heartbeat`, 60_000, proc);
  return proc;
}

/** Starts CrowdSec's agent only (`-no-api`): it logs in to the LAPI named in the credentials file. */
export function startCrowdsecAgent(cfg: CrowdsecConfig): Spawned {
  return startProcess('crowdsec-agent', 'crowdsec', ['-c', cfg.configFile, '-no-api'], {
    cwd: cfg.dir,
    logDir: cfg.logDir,
  });
}
