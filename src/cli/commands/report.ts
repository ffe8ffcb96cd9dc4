// `picket report [--month YYYY-MM] [--format html|pdf|json] [-o FILE]`: the monthly report of the store of
// the data folder (read alongside a running LAPI). Default month: the last complete one; default output:
// stdout for json/html, picket-report-<month>.pdf for pdf. Owns: these options and writing the file.

import fs from 'node:fs';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext } from '../api-context.js';
import { withReportStore } from '../run-crowd.js';
import {
  buildReport,
  lastMonth,
  parseMonth,
  renderReport,
  reportFileName,
  reportFormat,
  type Month,
} from '../../report/index.js';
import { isPicketError, errorMessage } from '../../core/errors.js';

const usage = `Usage: picket report [--month YYYY-MM] [--format html|pdf|json] [-o FILE]

The monthly report of the store: attacks per day, top scenarios, sources (country, AS, range), decisions,
what the bouncers enforced, crowd figures, changes against the previous month and notable incidents.
Months are UTC calendar months.

Options:
  --month YYYY-MM         month to report (default: last month)
  -f, --format FORMAT     html (default), pdf or json
  -o, --output FILE       write to FILE (default: stdout; pdf: picket-report-YYYY-MM.pdf)
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  month: { type: 'string' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
} as const;

function cliError(e: unknown): never {
  if (isPicketError(e)) throw new CliError(errorMessage(e));
  throw e;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'monthly report (HTML, PDF or JSON) of the store',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseOptions('report', argv, OPTIONS, true);
    if (values.help) {
      io.out(usage);
      return 0;
    }
    if (positionals.length) throw new CliError(`report: unexpected argument '${positionals[0]}'`);
    let month: Month;
    let format;
    try {
      month = values.month === undefined ? lastMonth(Date.now()) : parseMonth(values.month);
      format = reportFormat(values.format ?? 'html');
    } catch (e) {
      return cliError(e);
    }
    const ctx = resolveContext(values);
    const data = await withReportStore(ctx, async (s) => buildReport(s, { month }));
    const bytes = await renderReport(data, format);
    const file = values.output ?? (format === 'pdf' ? reportFileName(month.key, format) : undefined);
    if (file === undefined) {
      if (io.write) await io.write(bytes.toString('utf8'));
      else io.out(bytes.toString('utf8'));
      return 0;
    }
    try {
      fs.writeFileSync(file, bytes);
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`, 1);
    }
    io.err(`report ${month.key} (${format}) written to ${file}`);
    return 0;
  },
};
