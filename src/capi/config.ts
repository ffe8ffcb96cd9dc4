// The central API credentials file in CrowdSec's online_api_credentials.yaml format (url, login, password): reading
// (errors name the file and the field) and writing it (mode 0600). The `online_client` section itself is parsed by
// src/config/online-client.ts (the config reader needs it; re-exported here for the crowd client).

import fs from 'node:fs';
import YAML from 'yaml';
import { CapiConfigError } from '../config/online-client.js';

export {
  CapiConfigError,
  defaultOnlineClient,
  parseOnlineClient,
  type OnlineClientConfig,
  type Sharing,
} from '../config/online-client.js';

export interface CapiCredentials {
  url: string;
  login: string;
  password: string;
}

type Obj = Record<string, unknown>;

/** reads online_api_credentials.yaml; errors name the file and the field */
export function readCredentials(file: string): CapiCredentials {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CapiConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new CapiConfigError(`${file}: a mapping expected`);
  const o = doc as Obj;
  for (const k of ['url', 'login', 'password'])
    if (typeof o[k] !== 'string' || o[k] === '') throw new CapiConfigError(`${file}: ${k}: required`);
  return { url: String(o.url), login: String(o.login), password: String(o.password) };
}

export function writeCredentials(file: string, c: CapiCredentials): void {
  fs.writeFileSync(file, YAML.stringify({ url: c.url, login: c.login, password: c.password }), { mode: 0o600 });
}
