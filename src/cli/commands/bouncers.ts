// `picket bouncers add|list|delete`: manages bouncer API keys directly in the store of the data folder (as
// cscli does in CrowdSec's database; a running LAPI reads keys from the store on each request, so a new key
// works and a deleted one is refused at once). Keys are 32 random hex characters; only their SHA-512 hex
// is stored. Owns: these sub-commands' options and output.

import crypto from 'node:crypto';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext, withStore } from '../api-context.js';
import { csvLine, outputFormat, timeWithAge } from '../output.js';
import { renderTable } from '../table.js';
import { sha512Hex } from '../../lapi/auth-apikey.js';
import type { BouncerRecord } from '../../store/records.js';

const usage = `Usage: picket bouncers add NAME [--key KEY] [-o human|json|raw]
       picket bouncers list [-o human|json|raw]
       picket bouncers delete NAME [NAME ...]

Manage the API keys of bouncers (remediation components) in the store of the data folder.

  add NAME       create a bouncer and print its API key (32 random hex characters unless --key);
                 -o raw prints only the key (for scripts: KEY=$(picket bouncers add fw -o raw))
  list           name, IP, validity, last pull, type/version (from its User-Agent), auth type
  delete NAME    remove bouncers (their keys stop working at once)

Options:
  --key KEY      use this key instead of a random one (at least 8 characters)
  -o FORMAT      human (default), json or raw
${COMMON_HELP}`;

const OPTIONS = { ...COMMON_OPTIONS, key: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

function bouncerJSON(b: BouncerRecord) {
  return {
    name: b.name,
    ip_address: b.ipAddress,
    revoked: b.revoked,
    valid: !b.revoked,
    last_pull: b.lastPull ? new Date(b.lastPull).toISOString() : null,
    type: b.type,
    version: b.version,
    auth_type: b.authType,
    auto_created: b.autoCreated,
    created_at: new Date(b.createdAt).toISOString(),
  };
}

export const bouncersCommand: Command = {
  name: 'bouncers',
  summary: 'add, list and delete bouncer API keys',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('bouncers', rest, OPTIONS, true);
    const fmt = outputFormat(values.output);
    const ctx = resolveContext(values);
    switch (sub) {
      case 'add': {
        if (positionals.length !== 1)
          throw new CliError('bouncers add: expected one NAME (see picket bouncers --help)');
        const name = positionals[0];
        if (!/^[\w.@:-]{1,255}$/.test(name))
          throw new CliError(`bouncers add: name '${name}': use letters, digits and . _ - @ : (at most 255)`);
        const key = (values.key as string | undefined) ?? crypto.randomBytes(16).toString('hex');
        if (key.length < 8 || /\s/.test(key)) throw new CliError('--key: at least 8 characters, no spaces');
        const hash = sha512Hex(key);
        await withStore(ctx, async (s) => {
          if (s.getBouncerByName(name)) throw new CliError(`bouncer '${name}' already exists`, 1);
          const other = s.getBouncerByKeyHash(hash);
          if (other) throw new CliError(`this key is already used by bouncer '${other.name}'`, 1);
          const now = Date.now();
          await s.putBouncer({
            name,
            apiKeyHash: hash,
            revoked: false,
            ipAddress: '',
            type: '',
            version: '',
            authType: 'api-key',
            autoCreated: false,
            createdAt: now,
            updatedAt: now,
            lastPull: null,
          });
        });
        if (fmt === 'raw') io.out(key);
        else if (fmt === 'json') io.out(JSON.stringify(key));
        else
          io.out(
            `API key for '${name}':\n\n   ${key}\n\nPlease keep this key since you will not be able to retrieve it!`,
          );
        return 0;
      }
      case 'list': {
        if (positionals.length) throw new CliError(`bouncers list: unexpected argument '${positionals[0]}'`);
        const list = await withStore(ctx, async (s) => s.listBouncers());
        if (fmt === 'json') io.out(JSON.stringify(list.map(bouncerJSON), null, 2));
        else if (fmt === 'raw') {
          io.out(csvLine(['name', 'ip', 'revoked', 'last_pull', 'type', 'version', 'auth_type']));
          for (const b of list) {
            io.out(
              csvLine([
                b.name,
                b.ipAddress,
                b.revoked ? 'revoked' : 'valid',
                b.lastPull ? new Date(b.lastPull).toISOString() : '',
                b.type,
                b.version,
                b.authType,
              ]),
            );
          }
        } else {
          const now = Date.now();
          io.out(
            renderTable(
              ['Name', 'IP Address', 'Valid', 'Last API pull', 'Type', 'Version', 'Auth Type'],
              list.map((b) => [
                b.name,
                b.ipAddress,
                b.revoked ? '✗' : '✔',
                timeWithAge(b.lastPull, now),
                b.type,
                b.version,
                b.authType,
              ]),
            ),
          );
        }
        return 0;
      }
      case 'delete': {
        if (positionals.length === 0) throw new CliError('bouncers delete: expected at least one NAME');
        await withStore(ctx, async (s) => {
          for (const name of positionals) {
            if (!(await s.deleteBouncer(name)))
              throw new CliError(`unable to delete bouncer '${name}': it does not exist`, 1);
            io.out(`bouncer '${name}' deleted`);
          }
        });
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: add, list or delete (see picket bouncers --help)'
            : `unknown sub-command '${sub}': expected add, list or delete`,
        );
    }
  },
};
