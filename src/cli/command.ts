// The shape of one `picket` sub-command and the shared argument helpers.
// Owns: Command interface, CliError (a user-facing error printed without a stack), option parsing wrapper.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PicketError, errorMessage } from '../core/errors.js';

export interface Command {
  /** name as typed: `hubtest`, `explain`, ... */
  name: string;
  /** one line for `picket --help` */
  summary: string;
  /** full usage text for `picket NAME --help` */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  /** raw stdout, no newline added, resolved once the stream can take more (long outputs written piece by piece,
   *  without queueing them all in memory); absent: one `out` call */
  write?: (s: string) => Promise<void> | void;
}

/** An error the user caused (bad flag, missing file): printed as `picket NAME: message`, exit code 2 unless given. */
export class CliError extends PicketError {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super('CLI_USAGE', message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with errors turned into CliError naming the command. */
export function parseOptions<T extends Options>(cmd: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (e) {
    throw new CliError(`${cmd}: ${errorMessage(e)} (see picket ${cmd} --help)`);
  }
}
