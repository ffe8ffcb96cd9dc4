// Default locations of Picket's files: the data folder, the config file, the listen addresses, the local
// credentials file name. Owns: these defaults (one place, shared by `picket run` and the LAPI commands).
//
// Default data folder: /var/lib/picket when run as root (the daemon case, FHS, like CrowdSec's
// /var/lib/crowdsec/data; a service's working directory is usually `/`, so a relative default would be
// wrong there), ./.picket-data otherwise (a developer trying `picket run` without root cannot create
// /var/lib/picket; the folder is next to where they run it and easy to delete).

import path from 'node:path';

export const DEFAULT_DATA_DIR =
  typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/picket' : './.picket-data';
export const DEFAULT_CONFIG_FILE = '/etc/picket/config.yaml';
export const DEFAULT_LAPI_LISTEN = '127.0.0.1:8080';
export const DEFAULT_METRICS_LISTEN = '127.0.0.1:6060';
/** CrowdSec's config_paths.notification_dir, Picket's `notification_dir` */
export const DEFAULT_NOTIFICATION_DIR = '/etc/picket/notifications';
/** CrowdSec's config_paths.simulation_path, Picket's `simulation_path` (for `picket simulation`) */
export const DEFAULT_SIMULATION_FILE = '/etc/picket/simulation.yaml';
/** cscli's name for the machine credentials file */
export const CREDENTIALS_FILE = 'local_api_credentials.yaml';

export function credentialsPathOf(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE);
}
/** the alert context file when neither console_context_path nor config_dir says (CrowdSec: /etc/crowdsec/console/) */
export const DEFAULT_CONTEXT_FILE = '/etc/picket/console/context.yaml';
