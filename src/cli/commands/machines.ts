// `picket machines add|list|delete|validate`: manages watchers (machines) directly in the store of the data
// folder, as cscli does. `add` creates a validated machine with a password hash (src/lapi/password.ts) and,
// with `-f FILE`, writes its credentials file in cscli's format (`-f -`: standard output).
// Owns: these sub-commands' options and output.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, defaultListen, listenToUrl, resolveContext, withStore } from '../api-context.js';
import { csvLine, outputFormat, timeWithAge } from '../output.js';
import { renderTable } from '../table.js';
import { hashPassword } from '../../lapi/password.js';
import { formatCredentials, writeCredentials } from '../../config/credentials.js';
import type { MachineRecord } from '../../store/records.js';
import { errorMessage } from '../../core/errors.js';

const usage = `Usage: picket machines add ID (--password P | --auto) [-f FILE] [--url URL] [--force]
       picket machines list [-o human|json|raw]
       picket machines delete ID [ID ...]
       picket machines validate ID

Manage watchers (log processors, and the credentials cscli-style commands use) in the store of the
data folder.

  add ID         create a validated machine; --auto generates a random password; -f FILE writes the
                 credentials file (url, login, password; cscli format; "-f -" prints it); the url is
                 --url, else http://<listen>/ of the config, else http://127.0.0.1:8080/
  list           ID, IP, last update, status, version, auth type, last heartbeat
  delete ID      remove machines (their tokens stop working at next login)
  validate ID    validate a machine registered through POST /v1/watchers

Options:
  --password P   the machine's password
  --auto         generate a random password
  -f, --file F   write the credentials to F ("-" = standard output)
  --force        overwrite an existing machine / credentials file
  -o FORMAT      human (default), json or raw
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  password: { type: 'string' },
  auto: { type: 'boolean' },
  file: { type: 'string', short: 'f' },
  force: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

function machineJSON(m: MachineRecord) {
  const iso = (t: number | null) => (t ? new Date(t).toISOString() : null);
  return {
    machineId: m.machineId,
    ipAddress: m.ipAddress,
    isValidated: m.isValidated,
    version: m.version,
    auth_type: m.authType,
    scenarios: m.scenarios,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    last_push: iso(m.lastPush),
    last_heartbeat: iso(m.lastHeartbeat),
  };
}

type MachineValues = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];
type Context = ReturnType<typeof resolveContext>;

/** add ID: a validated machine with a password hash; its credentials file with -f */
async function addMachine(values: MachineValues, positionals: string[], ctx: Context, io: CliIO): Promise<void> {
  if (positionals.length !== 1)
    throw new CliError('machines add: expected one machine ID (see picket machines --help)');
  const id = positionals[0];
  if (!/^[\w.@:-]{1,255}$/.test(id))
    throw new CliError(`machines add: ID '${id}': use letters, digits and . _ - @ : (at most 255)`);
  if (values.password !== undefined && values.auto)
    throw new CliError('machines add: --password and --auto exclude each other');
  if (values.password === undefined && !values.auto) throw new CliError('machines add: give --password P or --auto');
  const password = (values.password as string | undefined) ?? crypto.randomBytes(32).toString('base64url');
  if (password.length < 1) throw new CliError('--password: empty');
  const file = values.file as string | undefined;
  if (file && file !== '-' && fs.existsSync(file) && !values.force) {
    throw new CliError(`credentials file ${file} already exists: remove it, use --force or another -f FILE`, 1);
  }
  const url =
    (values.url as string | undefined) ?? listenToUrl((values.listen as string | undefined) ?? defaultListen(ctx));
  const hash = await hashPassword(password);
  await withStore(ctx, async (s) => {
    const old = s.getMachine(id);
    if (old && !values.force) throw new CliError(`machine '${id}' already exists (--force replaces its password)`, 1);
    const now = Date.now();
    await s.putMachine({
      machineId: id,
      passwordHash: hash,
      isValidated: true,
      authType: 'password',
      ipAddress: old?.ipAddress ?? '',
      version: old?.version ?? '',
      scenarios: old?.scenarios ?? '',
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
      lastPush: old?.lastPush ?? null,
      lastHeartbeat: old?.lastHeartbeat ?? null,
    });
  });
  const creds = { url, login: id, password };
  if (file === '-') io.out(formatCredentials(creds).trimEnd());
  else {
    io.err(`Machine '${id}' successfully added to the local API.`);
    if (file) {
      try {
        writeCredentials(file, creds);
      } catch (e) {
        throw new CliError(`writing credentials file ${file}: ${errorMessage(e)}`, 1);
      }
      io.err(`API credentials written to '${file}'.`);
    } else if (values.auto) io.err('(the generated password was not saved: use -f FILE to write a credentials file)');
  }
}

function printMachines(list: MachineRecord[], fmt: ReturnType<typeof outputFormat>, io: CliIO): void {
  if (fmt === 'json') io.out(JSON.stringify(list.map(machineJSON), null, 2));
  else if (fmt === 'raw') {
    io.out(csvLine(['machine_id', 'ip_address', 'updated_at', 'validated', 'version', 'auth_type', 'last_heartbeat']));
    for (const m of list) {
      io.out(
        csvLine([
          m.machineId,
          m.ipAddress,
          new Date(m.updatedAt).toISOString(),
          m.isValidated ? 'true' : 'false',
          m.version,
          m.authType,
          m.lastHeartbeat ? new Date(m.lastHeartbeat).toISOString() : '',
        ]),
      );
    }
  } else {
    const now = Date.now();
    io.out(
      renderTable(
        ['Name', 'IP Address', 'Last Update', 'Status', 'Version', 'Auth Type', 'Last Heartbeat'],
        list.map((m) => [
          m.machineId,
          m.ipAddress,
          timeWithAge(m.updatedAt, now),
          m.isValidated ? '✔️' : '🚫',
          m.version,
          m.authType,
          timeWithAge(m.lastHeartbeat, now),
        ]),
      ),
    );
  }
}

export const machinesCommand: Command = {
  name: 'machines',
  summary: 'add, list, validate and delete watchers (machines)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('machines', rest, OPTIONS, true);
    const fmt = outputFormat(values.output);
    const ctx = resolveContext(values);
    switch (sub) {
      case 'add': {
        await addMachine(values, positionals, ctx, io);
        return 0;
      }
      case 'list': {
        if (positionals.length) throw new CliError(`machines list: unexpected argument '${positionals[0]}'`);
        const list = await withStore(ctx, async (s) => s.listMachines());
        printMachines(list, fmt, io);
        return 0;
      }
      case 'delete': {
        if (positionals.length === 0) throw new CliError('machines delete: expected at least one machine ID');
        await withStore(ctx, async (s) => {
          for (const id of positionals) {
            if (!(await s.deleteMachine(id)))
              throw new CliError(`unable to delete machine '${id}': it does not exist`, 1);
            io.out(`machine '${id}' deleted`);
          }
        });
        return 0;
      }
      case 'validate': {
        if (positionals.length !== 1) throw new CliError('machines validate: expected one machine ID');
        const id = positionals[0];
        await withStore(ctx, async (s) => {
          const m = s.getMachine(id);
          if (!m) throw new CliError(`unable to validate machine '${id}': it does not exist`, 1);
          await s.putMachine({ ...m, isValidated: true, updatedAt: Date.now() });
        });
        io.out(`machine '${id}' validated successfully`);
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: add, list, delete or validate (see picket machines --help)'
            : `unknown sub-command '${sub}': expected add, list, delete or validate`,
        );
    }
  },
};
