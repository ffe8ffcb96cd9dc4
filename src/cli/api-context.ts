// What the LAPI commands share: the common options (`--config`, `--data`, `--listen`, `--url`,
// `-c/--credentials`), resolving them against the config file and the defaults, a watcher client logged in
// with the machine credentials file (as cscli does), the LAPI store of the data folder for the
// bouncers/machines commands, and turning client/config errors into clean CLI errors (exit 1).
// Owns: option precedence: flag > config file > default; the LAPI URL: --url, else --listen, else the
// credentials file's url.

import { CliError, type Options } from './command.js';
import { resolveConfig, ConfigError, type PicketConfig } from '../config/config.js';
import { readCredentials, clientTlsOf, CredentialsError, type Credentials } from '../config/credentials.js';
import { DEFAULT_DATA_DIR, DEFAULT_LAPI_LISTEN, credentialsPathOf } from '../config/defaults.js';
import { WatcherClient } from '../client/watcher.js';
import { LapiError, LapiUnreachableError } from '../client/errors.js';
import { openStore, StoreError, type PicketStore } from '../store/lmdb.js';
import { openLapiStore, type LmdbLapiStore } from '../store/lapi-store.js';

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  listen: { type: 'string' },
  url: { type: 'string' },
  credentials: { type: 'string', short: 'c' },
} as const satisfies Options;

/** the filter flags `decisions` and `alerts` share (cscli's names and short forms) */
export const FILTER_OPTIONS = {
  ip: { type: 'string', short: 'i' },
  range: { type: 'string', short: 'r' },
  scope: { type: 'string' },
  value: { type: 'string', short: 'v' },
  scenario: { type: 'string', short: 's' },
  type: { type: 'string', short: 't' },
  origin: { type: 'string' },
  id: { type: 'string' },
  all: { type: 'boolean', short: 'a' },
  contained: { type: 'boolean' },
  limit: { type: 'string', short: 'l' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const COMMON_HELP = `Common options:
  --config FILE      config file (default /etc/picket/config.yaml when it exists)
  --data DIR         data folder (default: config data_dir, else ${DEFAULT_DATA_DIR})
  -c, --credentials FILE  machine credentials (default <data>/local_api_credentials.yaml)
  --url URL          LAPI base URL (default: the credentials file's url)
  --listen HOST:PORT same as --url http://HOST:PORT/`;

export interface CommonValues {
  config?: string | boolean;
  data?: string | boolean;
  listen?: string | boolean;
  url?: string | boolean;
  credentials?: string | boolean;
}

export interface ApiContext {
  config: PicketConfig;
  dataDir: string;
  credentialsFile: string;
  /** an explicit URL (--url / --listen), overriding the credentials file's */
  urlOverride: string | null;
}

export function listenToUrl(listen: string): string {
  return /^https?:\/\//.test(listen) ? listen : `http://${listen}/`;
}

export function resolveContext(v: CommonValues): ApiContext {
  let config: PicketConfig;
  try {
    config = resolveConfig(v.config as string | undefined);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
  const dataDir = (v.data as string | undefined) ?? config.dataDir ?? DEFAULT_DATA_DIR;
  const credentialsFile = (v.credentials as string | undefined) ?? credentialsPathOf(dataDir);
  const urlOverride =
    (v.url as string | undefined) ?? (v.listen !== undefined ? listenToUrl(v.listen as string) : null);
  return { config, dataDir, credentialsFile, urlOverride };
}

/** the LAPI address for a server-side default (config listen, else 127.0.0.1:8080) */
export function defaultListen(ctx: ApiContext): string {
  return ctx.config.listen ?? DEFAULT_LAPI_LISTEN;
}

export function loadCredentials(ctx: ApiContext): Credentials {
  try {
    return readCredentials(ctx.credentialsFile);
  } catch (e) {
    if (e instanceof CredentialsError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** a watcher client with the machine credentials (not yet logged in: the first call logs in) */
export function watcherFor(ctx: ApiContext): WatcherClient {
  const c = loadCredentials(ctx);
  const url = ctx.urlOverride ?? c.url;
  let tls;
  try {
    tls = clientTlsOf({ ...c, url }, ctx.config.tls?.certFile);
  } catch (e) {
    if (e instanceof CredentialsError) throw new CliError(e.message, 1);
    throw e;
  }
  return new WatcherClient({ url, machineId: c.login, password: c.password, scenarios: null, tls });
}

/** runs `fn` with a watcher client, closes it, and turns API errors into CLI errors (exit 1) */
export async function withWatcher<T>(ctx: ApiContext, fn: (w: WatcherClient) => Promise<T>): Promise<T> {
  const w = watcherFor(ctx);
  try {
    return await fn(w);
  } catch (e) {
    throw apiError(e);
  } finally {
    await w.close();
  }
}

export function apiError(e: unknown): unknown {
  if (e instanceof LapiError)
    return new CliError(
      `Local API error: ${e.serverMessage || `HTTP ${e.status}`} (${e.method} ${e.path}, status ${e.status})`,
      1,
    );
  if (e instanceof LapiUnreachableError) return new CliError(`${e.message} (is \`picket run\` running?)`, 1);
  return e;
}

/** the Picket store of a data folder; a folder that cannot be used is a CLI error (exit 1) naming it */
export function openDataStore(dataDir: string): PicketStore {
  try {
    return openStore(dataDir);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** runs `fn` with the LAPI store of the data folder, then closes it (flushing every write) */
export async function withStore<T>(
  ctx: ApiContext,
  fn: (s: LmdbLapiStore) => Promise<T>,
  /** called with the opened environment first (e.g. to register providers that read other sub-databases) */
  onEnv?: (env: PicketStore) => void,
): Promise<T> {
  const env = openDataStore(ctx.dataDir);
  try {
    onEnv?.(env);
    const store = openLapiStore(env, { syncIntervalMs: 0 });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    await env.close();
  }
}

/** a sub-command refuses the options of its siblings (`decisions add --limit` is a mistake, said clearly) */
export function onlyOptions(v: object, cmd: string, sub: string, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!(k in COMMON_OPTIONS) && k !== 'output' && k !== 'help' && !allowed.includes(k)) {
      throw new CliError(`${cmd} ${sub}: --${k} does not apply here (see picket ${cmd} --help)`);
    }
  }
}
