// The machine credentials file, in cscli's format (`local_api_credentials.yaml`):
//   url: http://127.0.0.1:8080
//   login: <machine id>
//   password: <password>
//   ca_cert_path: /path/ca.pem       (optional, https)
//   insecure_skip_verify: false      (optional)
// Owns: reading it (errors name the file, line and key), writing it (mode 0600, atomically), and the TLS
// settings a client derives from it.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ClientTls } from '../client/http.js';
import { PicketError, errorMessage, errorCode } from '../core/errors.js';

export interface Credentials {
  url: string;
  login: string;
  password: string;
  /** cscli's optional `ca_cert_path`: CA (or self-signed certificate) of an https LAPI */
  caCertPath?: string;
  /** cscli's optional `insecure_skip_verify` */
  insecureSkipVerify?: boolean;
}

/** A credentials file that cannot be used (code CONFIG_BAD_CREDENTIALS); the message names the file and key. */
export class CredentialsError extends PicketError {
  constructor(message: string) {
    super('CONFIG_BAD_CREDENTIALS', message);
  }
}

export function parseCredentials(text: string, file: string): Credentials {
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos ? `:${e.linePos[0].line}` : '';
    throw new CredentialsError(`${file}${line}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!YAML.isMap(root)) throw new CredentialsError(`${file}: expected a mapping with url, login and password`);
  const out: Partial<Credentials> = {};
  for (const pair of root.items) {
    const key = YAML.isScalar(pair.key) ? String(pair.key.value) : '';
    const line = pair.key && YAML.isNode(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]).line : 0;
    const v = YAML.isScalar(pair.value) ? pair.value.value : undefined;
    if (key === 'insecure_skip_verify') {
      if (typeof v !== 'boolean') throw new CredentialsError(`${file}:${line}: ${key}: expected true or false`);
      out.insecureSkipVerify = v;
      continue;
    }
    if (key === 'ca_cert_path') {
      if (typeof v !== 'string' || v === '')
        throw new CredentialsError(`${file}:${line}: ${key}: expected a file path`);
      out.caCertPath = v;
      continue;
    }
    if (key !== 'url' && key !== 'login' && key !== 'password') continue; // others (cert_path, key_path) are ignored
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new CredentialsError(`${file}:${line}: ${key}: expected a string`);
    out[key] = String(v);
  }
  for (const k of ['url', 'login', 'password'] as const) {
    if (!out[k]) throw new CredentialsError(`${file}: ${k} is missing`);
  }
  return out as Credentials;
}

export function readCredentials(file: string): Credentials {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CredentialsError(
      code === 'ENOENT'
        ? `credentials file ${file} does not exist (start \`picket run\` once, or use \`picket machines add ID --auto -f FILE\`)`
        : `cannot read credentials file ${file}: ${code ?? errorMessage(e)}`,
    );
  }
  return parseCredentials(text, file);
}

export function formatCredentials(c: Credentials): string {
  return YAML.stringify({ url: c.url, login: c.login, password: c.password });
}

/**
 * TLS settings for a client of `c.url`: its `ca_cert_path` / `insecure_skip_verify`, else `localCert` (the
 * certificate of the local LAPI's config, usually self-signed); undefined for plain http.
 */
export function clientTlsOf(c: Credentials, localCert?: string): ClientTls | undefined {
  if (!c.url.startsWith('https:')) return undefined;
  const caFile = c.caCertPath ?? localCert;
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = fs.readFileSync(caFile);
    } catch (e) {
      throw new CredentialsError(`CA certificate ${caFile}: ${errorCode(e) ?? errorMessage(e)}`);
    }
  }
  return { ca, rejectUnauthorized: c.insecureSkipVerify !== true };
}

/** writes the file (0600) through a temporary file and a rename, so a reader never sees half of it */
export function writeCredentials(file: string, c: Credentials): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, formatCredentials(c), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
