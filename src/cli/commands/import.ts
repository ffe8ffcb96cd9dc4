// `picket import crowdsec [--db PATH] [--config FILE] [--data DIR]`: copies a CrowdSec host's bouncers, machines,
// allowlists and active decisions into Picket's store (src/import/crowdsec.ts), then prints what was copied.
// Owns: the options (database from --db, else the CrowdSec config's db_config.db_path; store in --data, else
// the config's data_dir) and the report's two formats.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { outputFormat } from '../output.js';
import { resolveConfig, ConfigError } from '../../config/config.js';
import { DEFAULT_DATA_DIR } from '../../config/defaults.js';
import { isPicketError } from '../../core/errors.js';
import { importCrowdsec, type Counts, type ImportReport } from '../../import/crowdsec.js';
import { openStore, StoreError, type PicketStore } from '../../store/lmdb.js';
import { openLapiStore } from '../../store/lapi-store.js';
import { AllowlistStore } from '../../store/allowlists.js';

const usage = `Usage: picket import crowdsec [--db PATH] [--config FILE] [--data DIR] [-o human|json]

Copy what a CrowdSec host's Local API knows into Picket's store, so that Picket can take its place with
nothing re-issued: bouncers (their API key hashes: the same keys keep working, no bouncer reconfigured),
machines (their passwords keep working), allowlists (CrowdSec 1.6+) and the decisions still active, with
their alerts. Running it again copies only what changed. CrowdSec's database is opened read-only.

Options:
  --db PATH      CrowdSec's SQLite database (default: db_config.db_path of the --config file)
  --config FILE  CrowdSec's config.yaml (e.g. /etc/crowdsec/config.yaml): db_path and data_dir
  --data DIR     Picket's data folder (default: the config's data_dir, else ${DEFAULT_DATA_DIR})
  -o FORMAT      human (default) or json`;

function countsText(what: string, c: Counts): string {
  return `${what}: ${c.copied} copied, ${c.updated} updated, ${c.unchanged} already there`;
}

function reportText(r: ImportReport, dataDir: string): string[] {
  return [
    `imported ${r.db} into ${dataDir}`,
    countsText('bouncers', r.bouncers),
    countsText('machines', r.machines),
    r.allowlists === null
      ? 'allowlists: none in this CrowdSec version'
      : `${countsText('allowlists', r.allowlists)} (${r.allowlists.items} items added)`,
    countsText('active decisions', r.decisions),
  ];
}

export const importCommand: Command = {
  name: 'import',
  summary: "import a CrowdSec host's bouncers, machines, allowlists and decisions",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [what, ...rest] = argv;
    if (what !== 'crowdsec') throw new CliError(`expected 'picket import crowdsec' (see picket import --help)`);
    const { values, positionals } = parseOptions('import', rest, {
      db: { type: 'string' },
      config: { type: 'string' },
      data: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length) throw new CliError(`import crowdsec: unexpected argument '${positionals[0]}'`);
    const fmt = outputFormat(values.output, ['human', 'json']);
    let config;
    try {
      config = resolveConfig(values.config);
    } catch (e) {
      if (e instanceof ConfigError) throw new CliError(e.message, 1);
      throw e;
    }
    const db = values.db ?? config.dbPath;
    if (!db) throw new CliError("import crowdsec: no database: give --db PATH or --config with CrowdSec's config.yaml");
    const dataDir = values.data ?? config.dataDir ?? DEFAULT_DATA_DIR;
    let env: PicketStore;
    try {
      env = openStore(dataDir);
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(e.message, 1);
      throw e;
    }
    let report: ImportReport;
    try {
      const store = openLapiStore(env, { syncIntervalMs: 0 });
      try {
        report = await importCrowdsec(db, store, new AllowlistStore(env));
      } finally {
        await store.close();
      }
    } catch (e) {
      if (isPicketError(e) && e.code.startsWith('IMPORT_')) throw new CliError(e.message, 1);
      throw e;
    } finally {
      await env.close();
    }
    if (fmt === 'json') io.out(JSON.stringify(report, null, 2));
    else {
      for (const w of report.warnings) io.err(`warning: ${w}`);
      for (const l of reportText(report, dataDir)) io.out(l);
    }
    return 0;
  },
};
