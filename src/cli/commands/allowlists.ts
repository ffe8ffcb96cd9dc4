// `picket allowlists create|add|import|remove|check|list|inspect|delete` (cscli 1.6+'s allowlists): manages the
// allowlists directly in the store of the data folder; a running LAPI picks the change up within a second.
// `add` and `import` expire the active decisions the new items cover (./../allowlist-apply.ts).
// Owns: these sub-commands' options and output.

import fs from 'node:fs';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, openDataStore, resolveContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import type { PicketStore } from '../../store/lmdb.js';
import { AllowlistError, AllowlistStore, type AllowlistRecord, type NewAllowlistItem } from '../../store/allowlists.js';
import { expireCovered, parseAllowlistCsv } from '../allowlist-apply.js';
import { errorCode, errorMessage } from '../../core/errors.js';
import { formatRfc3339, parseWireDuration } from '../../api/wire-time.js';

const usage = `Usage: picket allowlists create NAME [-d DESCRIPTION]
       picket allowlists add NAME VALUE [VALUE ...] [--expiration 7d] [-d DESCRIPTION]
       picket allowlists import NAME -i FILE.csv   (header: value[,expiration][,comment]; "-i -" reads stdin)
       picket allowlists remove NAME VALUE [VALUE ...]
       picket allowlists check VALUE [VALUE ...] [-o human|json]
       picket allowlists list [-o human|json]
       picket allowlists inspect NAME [-o human|json]
       picket allowlists delete NAME

Manage the allowlists of the Local API (IPs and CIDR ranges whose agent alerts are dropped) in the store
of the data folder. Adding an item expires the active decisions on the IPs and ranges it covers.

Options:
  -d, --description TEXT  description of the list (create) or of the added items (add)
  -e, --expiration DUR    items expire after this duration (add; default never), e.g. 4h, 7d
  -i, --input FILE        CSV file to import (import)
  -o FORMAT               human (default) or json
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  description: { type: 'string', short: 'd' },
  expiration: { type: 'string', short: 'e' },
  output: { type: 'string', short: 'o' },
  input: { type: 'string', short: 'i' },
} as const;

function iso(ms: number | null): string | null {
  return ms === null ? null : formatRfc3339(ms);
}

function allowlistJSON(a: AllowlistRecord) {
  return {
    name: a.name,
    allowlist_id: a.allowlistId,
    description: a.description,
    items: a.items.map((i) => ({
      value: i.value,
      description: i.description,
      created_at: iso(i.createdAt),
      expiration: iso(i.expiration),
    })),
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
    console_managed: false,
  };
}

async function withAllowlists<T>(dataDir: string, f: (s: AllowlistStore, env: PicketStore) => Promise<T>): Promise<T> {
  const env = openDataStore(dataDir);
  try {
    return await f(new AllowlistStore(env), env);
  } catch (e) {
    if (e instanceof AllowlistError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    await env.close();
  }
}

/** stores the items, then expires the active decisions they cover (CrowdSec 1.6+) */
async function addAndExpire(dataDir: string, name: string, items: NewAllowlistItem[], io: CliIO): Promise<void> {
  await withAllowlists(dataDir, async (s, env) => {
    const n = await s.addItems(name, items);
    io.out(n === 0 ? `no new values for allowlist ${name}` : `added ${n} values to allowlist ${name}`);
    const expired = await expireCovered(
      env,
      items.map((i) => i.value),
      Date.now(),
    );
    if (expired > 0) io.out(`${expired} active decision(s) on allowlisted values expired`);
  });
}

function need(sub: string, positionals: string[], min: number, what: string): void {
  if (positionals.length < min)
    throw new CliError(`allowlists ${sub}: expected ${what} (see picket allowlists --help)`);
}

/** list: a table, or -o json */
function printAllowlists(list: AllowlistRecord[], fmt: string, io: CliIO): void {
  if (fmt === 'json') io.out(JSON.stringify(list.map(allowlistJSON), null, 2));
  else {
    io.out(
      renderTable(
        ['Name', 'Description', 'Created at', 'Updated at', 'Managed by Console', 'Size'],
        list.map((a) => [
          a.name,
          a.description,
          formatRfc3339(a.createdAt),
          formatRfc3339(a.updatedAt),
          'no',
          String(a.items.length),
        ]),
      ),
    );
  }
}

/** inspect NAME: its header and items, or -o json */
function printAllowlist(a: AllowlistRecord, fmt: string, io: CliIO): void {
  if (fmt === 'json') {
    io.out(JSON.stringify(allowlistJSON(a), null, 2));
    return;
  }
  io.out(
    `Allowlist: ${a.name}\nDescription: ${a.description}\nCreated at: ${formatRfc3339(a.createdAt)}\nUpdated at: ${formatRfc3339(a.updatedAt)}\nManaged by Console: no\n`,
  );
  io.out(
    renderTable(
      ['Value', 'Comment', 'Expiration', 'Created at'],
      a.items.map((i) => [
        i.value,
        i.description,
        i.expiration === null ? 'never' : formatRfc3339(i.expiration),
        formatRfc3339(i.createdAt),
      ]),
    ),
  );
}

export const allowlistsCommand: Command = {
  name: 'allowlists',
  summary: 'create, edit, list and delete allowlists',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('allowlists', rest, OPTIONS, true);
    const fmt = outputFormat(values.output, ['human', 'json']);
    const { dataDir } = resolveContext(values);
    const description = (values.description as string | undefined) ?? '';
    switch (sub) {
      case 'create': {
        need(sub, positionals, 1, 'one NAME');
        if (positionals.length > 1) throw new CliError(`allowlists create: unexpected argument '${positionals[1]}'`);
        await withAllowlists(dataDir, (s) => s.create(positionals[0], description));
        io.out(`allowlist '${positionals[0]}' created successfully`);
        return 0;
      }
      case 'add': {
        need(sub, positionals, 2, 'NAME and at least one VALUE');
        let expiration: number | null = null;
        if (values.expiration !== undefined) {
          const ms = parseWireDuration(values.expiration as string);
          if (ms === null || ms <= 0)
            throw new CliError(
              `--expiration '${String(values.expiration)}': expected a positive duration such as 4h, 7d`,
            );
          expiration = Date.now() + ms;
        }
        const [name, ...items] = positionals;
        await addAndExpire(
          dataDir,
          name,
          items.map((value) => ({ value, description, expiration })),
          io,
        );
        return 0;
      }
      case 'import': {
        need(sub, positionals, 1, 'one NAME and -i FILE');
        const file = values.input as string | undefined;
        if (file === undefined)
          throw new CliError('allowlists import: -i FILE is required ("-i -" reads standard input)');
        let text: string;
        try {
          text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
        } catch (e) {
          throw new CliError(`cannot read ${file}: ${errorCode(e) ?? errorMessage(e)}`, 1);
        }
        const items = parseAllowlistCsv(text, file === '-' ? 'stdin' : file, Date.now());
        await addAndExpire(dataDir, positionals[0], items, io);
        return 0;
      }
      case 'check': {
        need(sub, positionals, 1, 'at least one VALUE');
        const now = Date.now();
        const res = await withAllowlists(dataDir, async (s) =>
          positionals.map((value) => ({ value, allowlists: s.check(value, now) })),
        );
        if (fmt === 'json') {
          io.out(JSON.stringify(res, null, 2));
          return 0;
        }
        for (const r of res)
          io.out(
            r.allowlists.length
              ? `${r.value} is allowlisted by ${r.allowlists.join(', ')}`
              : `${r.value} is not allowlisted`,
          );
        return 0;
      }
      case 'remove': {
        need(sub, positionals, 2, 'NAME and at least one VALUE');
        const [name, ...items] = positionals;
        const n = await withAllowlists(dataDir, (s) => s.removeItems(name, items));
        io.out(n === 0 ? `no value to remove from allowlist ${name}` : `removed ${n} values from allowlist ${name}`);
        return 0;
      }
      case 'list': {
        if (positionals.length) throw new CliError(`allowlists list: unexpected argument '${positionals[0]}'`);
        const list = await withAllowlists(dataDir, async (s) => s.list());
        printAllowlists(list, fmt, io);
        return 0;
      }
      case 'inspect': {
        need(sub, positionals, 1, 'one NAME');
        const name = positionals[0];
        const a = await withAllowlists(dataDir, async (s) => s.get(name));
        if (a === undefined) throw new CliError(`allowlist '${name}' not found`, 1);
        printAllowlist(a, fmt, io);
        return 0;
      }
      case 'delete': {
        need(sub, positionals, 1, 'one NAME');
        const name = positionals[0];
        if (!(await withAllowlists(dataDir, (s) => s.delete(name))))
          throw new CliError(`allowlist '${name}' not found`, 1);
        io.out(`allowlist '${name}' deleted successfully`);
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: create, add, import, remove, check, list, inspect or delete (see picket allowlists --help)'
            : `unknown sub-command '${sub}': expected create, add, import, remove, check, list, inspect or delete`,
        );
    }
  },
};
