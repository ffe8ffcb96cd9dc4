// `picket central run|stats|machines|blocklist|erase|delist|simulate`: Picket Central, the self-hostable central
// API CrowdSec's and Picket's LAPIs push signals to and pull the community blocklist from (docs/CENTRAL.md).
// Owns: option parsing, the configuration merge (file, then flags) and the `run` lifecycle (SIGINT/SIGTERM).

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { outputFormat } from '../output.js';
import * as admin from '../central-admin.js';
import { defaultConfig, loadConfig, type CentralConfig } from '../../central/config.js';
import { startCentral } from '../../central/server.js';
import { isPicketError } from '../../core/errors.js';

const usage = `Usage: picket central run --listen HOST:PORT --data DIR [--db postgres://…] [--config FILE] [--hub-index FILE]
       picket central stats [-o json]
       picket central machines list|add MACHINE_ID [--password PW]|delete MACHINE_ID [-o json]
       picket central blocklist add (--ip IP | --range CIDR) [--scenario NAME] [--duration 24h] [-o json]
       picket central blocklist delete (--ip IP | --range CIDR) | list [-o json]
       picket central erase --ip IP [-o json]
       picket central delist --ip IP [--reason TEXT] [-o json]
       picket central simulate [--sites N] [--days D] [--poisoners F] [--sybils S] [--seed K] [--json]

Picket Central: the central API (CrowdSec CAPI v2 and v3) that collects signals from sites and serves them the
community blocklist. Every command but simulate takes --data DIR (and --db, --config) and works while a server
runs on the same store. See docs/CENTRAL.md.

Options:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:8090)
  --data DIR           data folder: secrets and the embedded store (central.mdb)
  --db URL             postgres://… : keep the data in PostgreSQL instead
  --config FILE        YAML configuration (keys in docs/CENTRAL.md)
  --hub-index FILE     CrowdSec hub .index.json (default /usr/share/crowdsec/hub/.index.json)
  -o FORMAT            human (default) or json`;

const OPTIONS = {
  listen: { type: 'string' },
  data: { type: 'string' },
  db: { type: 'string' },
  config: { type: 'string', short: 'c' },
  'hub-index': { type: 'string' },
  output: { type: 'string', short: 'o' },
  ip: { type: 'string' },
  range: { type: 'string' },
  scenario: { type: 'string' },
  duration: { type: 'string' },
  reason: { type: 'string' },
  password: { type: 'string' },
} as const;

function configOf(values: Record<string, unknown>): CentralConfig {
  const c = typeof values.config === 'string' ? loadConfig(values.config) : defaultConfig();
  if (typeof values.listen === 'string') c.listen = values.listen;
  if (typeof values.data === 'string') c.data = values.data;
  if (typeof values.db === 'string') c.db = values.db;
  if (typeof values['hub-index'] === 'string') c.hubIndex = values['hub-index'];
  return c;
}

async function run(config: CentralConfig, io: CliIO): Promise<number> {
  const central = await startCentral(config, { log: (l) => io.err(l) });
  const h = central.service.hub;
  io.out(
    `Picket Central listening on ${central.url} (store: ${central.service.store.kind}; hub index: ${h.source}, ${h.scenarios} scenarios)`,
  );
  const sig = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  io.err(`central: ${sig}: stopping`);
  await central.close();
  return 0;
}

async function simulate(args: string[], io: CliIO): Promise<number> {
  // loaded only when it runs (the simulator is not needed by the server)
  const { runSimulate } = await import('../central-simulate.js');
  return runSimulate(args, io);
}

export const centralCommand: Command = {
  name: 'central',
  summary: 'Picket Central: the self-hostable central API (run, stats, machines, blocklist, erase, delist, simulate)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'simulate') return simulate(rest, io);
    const { values, positionals } = parseOptions('central', rest, OPTIONS, true);
    try {
      const config = configOf(values);
      const a: admin.AdminArgs = {
        config,
        positionals,
        json: outputFormat(values.output, ['human', 'json']) === 'json',
        ip: values.ip,
        range: values.range,
        scenario: values.scenario,
        duration: values.duration,
        reason: values.reason,
        password: values.password,
      };
      switch (sub) {
        case 'run':
          if (positionals.length) throw new CliError(`central run: unexpected argument '${positionals[0]}'`);
          return await run(config, io);
        case 'stats':
          return await admin.stats(a, io);
        case 'machines':
          return await admin.machines(a, io);
        case 'blocklist':
          return await admin.blocklist(a, io);
        case 'erase':
          return await admin.eraseOrDelist('erase', a, io);
        case 'delist':
          return await admin.eraseOrDelist('delist', a, io);
        default:
          throw new CliError(
            sub === undefined ? 'expected a sub-command (see picket central --help)' : `unknown sub-command '${sub}'`,
          );
      }
    } catch (e) {
      if (isPicketError(e)) throw new CliError(e.message, 1);
      throw e;
    }
  },
};
