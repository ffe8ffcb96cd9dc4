// `picket console users add|delete|list`: the web console's own users, stored with scrypt password hashes in
// console-users.json (mode 0600) of the data folder. The password is read from --password or, when absent,
// from the PICKET_CONSOLE_PASSWORD environment variable (never echoed).

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import { addUser, deleteUser, readUsers } from '../../console/users.js';
import { errorMessage, isPicketError } from '../../core/errors.js';

const usage = `Usage: picket console users add NAME [--password P]
       picket console users delete NAME
       picket console users list [-o human|json]

The web console (/ui on the LAPI's address, on by default when the LAPI listens on loopback) has its own
users. add: the password comes from --password or the PICKET_CONSOLE_PASSWORD variable (8 characters or more).

Options:
  --password P   add: the user's password
  -o FORMAT      list: human (default) or json
${COMMON_HELP}`;

const OPTIONS = { ...COMMON_OPTIONS, password: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

export const consoleCommand: Command = {
  name: 'console',
  summary: 'manage the web console users',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [group, sub, ...rest] = argv;
    if (group !== 'users') throw new CliError(`expected 'console users add|delete|list' (see picket console --help)`);
    const { values, positionals } = parseOptions('console users', rest, OPTIONS, true);
    const dataDir = resolveContext(values).dataDir;
    try {
      switch (sub) {
        case 'add': {
          const name = positionals[0];
          if (name === undefined) throw new CliError('console users add: expected a user name');
          const pw = (values.password as string | undefined) ?? process.env.PICKET_CONSOLE_PASSWORD;
          if (!pw) throw new CliError('console users add: give --password or set PICKET_CONSOLE_PASSWORD');
          addUser(dataDir, name, pw);
          io.out(`console user '${name}' added`);
          return 0;
        }
        case 'delete': {
          const name = positionals[0];
          if (name === undefined) throw new CliError('console users delete: expected a user name');
          if (!deleteUser(dataDir, name)) throw new CliError(`console user '${name}' does not exist`, 1);
          io.out(`console user '${name}' deleted`);
          return 0;
        }
        case 'list': {
          const users = readUsers(dataDir).map((u) => ({
            name: u.name,
            created_at: new Date(u.createdAt).toISOString(),
          }));
          if (outputFormat(values.output, ['human', 'json']) === 'json') io.out(JSON.stringify(users));
          else
            io.out(
              renderTable(
                ['Name', 'Created'],
                users.map((u) => [u.name, u.created_at]),
              ),
            );
          return 0;
        }
        default:
          throw new CliError('console users: expected add, delete or list');
      }
    } catch (e) {
      if (isPicketError(e)) throw new CliError(errorMessage(e), 1);
      throw e;
    }
  },
};
