// `picket capi register|status|signals` (cscli's capi, issue 13): registers with a central API and writes
// CrowdSec's online_api_credentials.yaml, logs in to report the state, and lists the audit trail of signals sent
// (what left the machine, when, to where, byte for byte). Owns: these sub-commands' options and output.

import fs from 'node:fs';
import path from 'node:path';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext, type ApiContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { openStore } from '../../store/lmdb.js';
import { SignalOutbox } from '../../store/outbox.js';
import { formatRfc3339, parseWireDuration } from '../../api/wire-time.js';
import { errorMessage } from '../../core/errors.js';
import { readCredentials, writeCredentials } from '../../capi/config.js';
import { CapiClient, newCredentials } from '../../capi/client.js';

const DEFAULT_CAPI_URL = 'https://api.crowdsec.net/';

const usage = `Usage: picket capi register [--url URL] [--token TOKEN] [-f FILE]
       picket capi status [-f FILE]
       picket capi signals [--since 24h] [-o human|json]

Talk to a central API (CrowdSec's CAPI v3, or Picket Central): register writes the credentials file in
CrowdSec's online_api_credentials.yaml format; status logs in; signals lists what was sent, byte for byte.

Options:
  --url URL          central API (register; default ${DEFAULT_CAPI_URL})
  --token TOKEN      enrolment token of a private central (register; Picket Central's registration.token;
                     also PICKET_CAPI_REGISTRATION_TOKEN)
  -f, --file FILE    credentials file (default: config online credentials, else <data>/online_api_credentials.yaml)
  --since DUR        signals sent within this duration (default 24h)
  -o FORMAT          human (default) or json
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  file: { type: 'string', short: 'f' },
  token: { type: 'string' },
  since: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

function credentialsFile(ctx: ApiContext, f: string | undefined): string {
  return f ?? ctx.config.onlineCredentialsPath ?? path.join(ctx.dataDir, 'online_api_credentials.yaml');
}

async function register(url: string | undefined, token: string | undefined, file: string, io: CliIO): Promise<number> {
  const creds = newCredentials(url ?? DEFAULT_CAPI_URL);
  try {
    await new CapiClient(creds).register(token ?? process.env.PICKET_CAPI_REGISTRATION_TOKEN ?? '');
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeCredentials(file, creds);
  io.out(`registered to ${creds.url} as ${creds.login}; credentials written to ${file}`);
  return 0;
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

/** what `picket run` would share and pull with this config */
function sharingLines(ctx: ApiContext): string[] {
  const oc = ctx.config.onlineClient;
  if (!oc) return ['online_client is not configured: picket run shares nothing and pulls nothing'];
  const p = oc.pull;
  return [
    `sharing: ${oc.sharing}` +
      (oc.sharing === 'off'
        ? ''
        : ` (manual decisions: ${yes(oc.shareManualDecisions)}, custom scenarios: ${yes(oc.shareCustom)}, ` +
          `tainted scenarios: ${yes(oc.shareTainted)}, alert context: ${yes(oc.shareContext)})`),
    `pull: community blocklist ${yes(p.community)}, subscribed lists ${yes(p.blocklists)}, ` +
      `every ${Math.round(p.intervalMs / 60_000)} min`,
  ];
}

async function status(ctx: ApiContext, file: string, io: CliIO): Promise<number> {
  let c;
  try {
    c = readCredentials(file);
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
  io.out(`loaded credentials from ${file}\ntrying to authenticate with username ${c.login} on ${c.url}`);
  try {
    await new CapiClient(c).login();
  } catch (e) {
    throw new CliError(`login failed: ${errorMessage(e)}`, 1);
  }
  io.out('you can successfully interact with the central API (CAPI)');
  for (const l of sharingLines(ctx)) io.out(l);
  return 0;
}

async function signals(ctx: ApiContext, since: string, fmt: string, io: CliIO): Promise<number> {
  const ms = parseWireDuration(since);
  if (ms === null) throw new CliError(`--since '${since}': a duration expected (e.g. 24h)`);
  const env = openStore(ctx.dataDir);
  try {
    const rows = new SignalOutbox(env).sentSince(Date.now() - ms);
    if (fmt === 'json') {
      io.out(
        JSON.stringify(
          rows.map((r) => ({ uuid: r.uuid, sent_at: formatRfc3339(r.sentAt), url: r.url, body: r.body })),
          null,
          2,
        ),
      );
    } else {
      for (const r of rows) io.out(`${formatRfc3339(r.sentAt)} ${r.url} ${r.body}`);
      if (!rows.length) io.out(`no signal sent in the last ${since}`);
    }
  } finally {
    await env.close();
  }
  return 0;
}

export const capiCommand: Command = {
  name: 'capi',
  summary: 'register with a central API, check it, list the signals sent',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseOptions('capi', argv, OPTIONS, true);
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const ctx = resolveContext({ ...values, url: undefined });
    const file = credentialsFile(ctx, values.file);
    switch (positionals[0]) {
      case 'register':
        return register(values.url, values.token, file, io);
      case 'status':
        return status(ctx, file, io);
      case 'signals':
        return signals(ctx, values.since ?? '24h', outputFormat(values.output), io);
      default:
        throw new CliError(`unknown sub-command '${positionals[0] ?? ''}' (register, status, signals)`);
    }
  },
};
