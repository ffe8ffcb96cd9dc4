// `picket lapi status`: logs in to the Local API with the machine credentials file and reports whether it
// works, as `cscli lapi status` does; `picket lapi context ...` is ../lapi-context.ts. Owns: this sub-command's
// output.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, apiError, loadCredentials, resolveContext } from '../api-context.js';
import { WatcherClient } from '../../client/watcher.js';
import { clientTlsOf } from '../../config/credentials.js';
import { errorMessage } from '../../core/errors.js';
import { LAPI_CONTEXT_HELP, runLapiContext } from '../lapi-context.js';

const usage = `Usage: picket lapi status

Log in to the Local API with the machine credentials file and report the result (exit 1 on failure).

${COMMON_HELP}

${LAPI_CONTEXT_HELP}`;

export const lapiCommand: Command = {
  name: 'lapi',
  summary: 'check the connection to the Local API (status); the alert context (context add|status|delete)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'context') return runLapiContext(rest, io);
    const { values, positionals } = parseOptions('lapi', rest, COMMON_OPTIONS, true);
    if (sub !== 'status')
      throw new CliError(
        sub === undefined
          ? 'expected a sub-command: status or context'
          : `unknown sub-command '${sub}': expected status or context`,
      );
    if (positionals.length) throw new CliError(`lapi status: unexpected argument '${positionals[0]}'`);
    const ctx = resolveContext(values);
    const c = loadCredentials(ctx);
    const url = ctx.urlOverride ?? c.url;
    io.out(`Loaded credentials from ${ctx.credentialsFile}`);
    io.out(`Trying to authenticate with username ${c.login} on ${url}`);
    let w: WatcherClient;
    try {
      w = new WatcherClient({
        url,
        machineId: c.login,
        password: c.password,
        tls: clientTlsOf({ ...c, url }, ctx.config.tls?.certFile),
      });
    } catch (e) {
      throw new CliError(errorMessage(e), 1);
    }
    try {
      const r = await w.login();
      io.out(`You can successfully interact with Local API (LAPI) (token valid until ${r.expire || 'unknown'})`);
      return 0;
    } catch (e) {
      const err = apiError(e);
      if (err instanceof CliError) throw new CliError(`failed to authenticate to Local API (LAPI): ${err.message}`, 1);
      throw err;
    } finally {
      await w.close();
    }
  },
};
