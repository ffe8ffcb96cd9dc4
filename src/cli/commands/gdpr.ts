// `picket gdpr export|erase|erasures`: what Picket holds about an address (with deletion dates), erasing it
// everywhere (store, allowlists, registered holders; a running LAPI and its bouncers follow through the
// change log), and the erasure records. Works on the store of the data folder, beside a running LAPI.
// Owns: these sub-commands' options and output.

import path from 'node:path';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import { openStore, StoreError, type PicketStore } from '../../store/lmdb.js';
import { DEFAULT_RETENTION } from '../../store/lapi-store.js';
import { exportAddress, type GdprContext } from '../../gdpr/export.js';
import { eraseEverywhere } from '../../gdpr/erase.js';
import { listErasures } from '../../gdpr/erasures.js';
import { registerHolder } from '../../gdpr/registry.js';
import { reportFilesHolder } from '../../gdpr/report-files.js';
import { registerCrowdProviders } from '../run-crowd.js';
import { errorMessage, isPicketError } from '../../core/errors.js';

const usage = `Usage: picket gdpr export --ip IP [-o human|json]
       picket gdpr erase --ip IP [--keep-allowlists] [-o human|json]
       picket gdpr erasures [-o human|json]

export    everything Picket holds about the address (alerts with their events and meta, decisions,
          community entries, allowlist entries, usage metrics, registered holders such as the crowd
          outbox), with the date each item will be deleted under the retention settings
erase     removes the address from all of them (active bans are withdrawn: bouncers drop them on their
          next poll) and records the erasure (a keyed hash of the address, never the address)
erasures  the erasure records

Options:
  --ip IP             the address
  --keep-allowlists   erase: keep allowlist items equal to the address
  -o FORMAT           human (default) or json
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ip: { type: 'string', short: 'i' },
  'keep-allowlists': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

async function withGdpr<T>(
  dataDir: string,
  retention: GdprContext['retention'],
  f: (c: GdprContext) => Promise<T>,
): Promise<T> {
  let store: PicketStore;
  try {
    store = openStore(dataDir);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, 1);
    throw e;
  }
  registerCrowdProviders(store, retention.maxAgeMs);
  try {
    return await f({ store, retention, now: Date.now() });
  } catch (e) {
    if (isPicketError(e)) throw new CliError(errorMessage(e), e.code === 'GDPR_BAD_ADDRESS' ? 2 : 1);
    throw e;
  } finally {
    await store.close();
  }
}

function counts(c: Record<string, Record<string, number>>): string[][] {
  const rows: string[][] = [];
  for (const [holder, m] of Object.entries(c))
    for (const [k, n] of Object.entries(m)) rows.push([holder, k, String(n)]);
  return rows;
}

export const gdprCommand: Command = {
  name: 'gdpr',
  summary: 'export or erase what Picket holds about an IP address',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('gdpr', rest, OPTIONS, true);
    if (positionals.length) throw new CliError(`gdpr ${sub}: unexpected argument '${positionals[0]}'`);
    const fmt = outputFormat(values.output, ['human', 'json']);
    const ctx = resolveContext(values);
    const retention = { ...DEFAULT_RETENTION, ...(ctx.config.retention ?? {}) };
    // the report folder: report.output_dir, else the console's default (reports/ of the data folder)
    registerHolder(reportFilesHolder(ctx.config.report?.outputDir ?? path.join(ctx.dataDir, 'reports')));
    const ip = values.ip;
    if ((sub === 'export' || sub === 'erase') && ip === undefined)
      throw new CliError(`gdpr ${sub}: --ip IP is required`);
    switch (sub) {
      case 'export': {
        const x = await withGdpr(ctx.dataDir, retention, (c) => exportAddress(c, ip!));
        if (fmt === 'json') {
          io.out(JSON.stringify(x, null, 2));
          return 0;
        }
        io.out(`Data held about ${x.address} (${x.items.length} items):`);
        io.out(
          renderTable(
            ['Kind', 'Where', 'Id', 'Deleted by'],
            x.items.map((i) => [i.kind, i.where, i.id, i.deleteBy ?? 'when removed']),
          ),
        );
        if (x.erasures.length) io.out(`Erased before: ${x.erasures.map((e) => e.at).join(', ')}`);
        return 0;
      }
      case 'erase': {
        const r = await withGdpr(ctx.dataDir, retention, (c) =>
          eraseEverywhere(c, ip!, { keepAllowlists: values['keep-allowlists'] === true }),
        );
        if (fmt === 'json') {
          io.out(JSON.stringify(r, null, 2));
          return 0;
        }
        io.out(`erased ${ip} (erasure ${r.id}):`);
        io.out(renderTable(['Holder', 'Records', 'Count'], counts(r.counts)));
        return 0;
      }
      case 'erasures': {
        const list = await withGdpr(ctx.dataDir, retention, async (c) => listErasures(c.store));
        if (fmt === 'json') {
          io.out(JSON.stringify(list, null, 2));
          return 0;
        }
        io.out(
          renderTable(
            ['Id', 'At', 'Address hash', 'Erased'],
            list.map((e) => [
              e.id,
              new Date(e.at).toISOString(),
              e.addressHash.slice(0, 16) + '…',
              counts(e.counts)
                .filter((c) => c[2] !== '0')
                .map((c) => `${c[1]} ${c[2]}`)
                .join(', '),
            ]),
          ),
        );
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: export, erase or erasures (see picket gdpr --help)'
            : `unknown sub-command '${sub}': expected export, erase or erasures`,
        );
    }
  },
};
