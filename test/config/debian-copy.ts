// A throwaway copy of Debian's crowdsec layout for tests: /etc/crowdsec copied into <tmp>/etc, config.yaml's
// paths rewritten into <tmp> (config_dir, data_dir, hub_dir, credentials, acquisition, db_path) and the ports
// set to 0, so nothing of the host's /etc or /var is read or written.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
