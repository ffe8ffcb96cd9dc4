// `picket central stats|machines|blocklist|erase|delist`: operator commands on Picket Central's store (the
// embedded one of --data, or PostgreSQL with --db), usable while a server runs (it applies the queued operations
// within a second). Owns: these sub-commands' options and their human / JSON output.

import { CliError, type CliIO } from './command.js';
import { renderTable } from './table.js';
import { timeWithAge } from './output.js';
import { formatRfc3339, parseWireDuration } from '../api/wire-time.js';
import { isPicketError } from '../core/errors.js';
import type { CentralConfig } from '../central/config.js';
import { AddressPolicy } from '../central/ipnet.js';
import * as op from '../central/operator.js';
import { loadSecrets } from '../central/secret.js';
import { openCentralStore } from '../central/store/open.js';
import type { CentralStore } from '../central/store/types.js';

export interface AdminArgs {
  config: CentralConfig;
  positionals: string[];
  json: boolean;
  ip?: string;
  range?: string;
  scenario?: string;
  duration?: string;
  reason?: string;
  password?: string;
}

async function withStore<T>(config: CentralConfig, f: (s: CentralStore) => Promise<T>): Promise<T> {
  if (!config.data && !config.db) throw new CliError('--data DIR (or --db postgres://…) is required');
  let store: CentralStore;
  try {
    store = await openCentralStore(config);
  } catch (e) {
    throw new CliError((e as Error).message, 1);
  }
  try {
    return await f(store);
  } catch (e) {
    if (isPicketError(e)) throw new CliError(e.message, 1);
    throw e;
  } finally {
    await store.close();
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : formatRfc3339(ms));

export async function stats(a: AdminArgs, io: CliIO): Promise<number> {
  const s = await withStore(a.config, async (st) => ({ ...(await st.stats()), store: st.kind }));
  if (a.json)
    io.out(
      JSON.stringify({ machines: s.machines, signals_stored: s.signals, curated_entries: s.curated, store: s.store }),
    );
  else
    io.out(
      renderTable(
        ['Store', 'Machines', 'Signals stored', 'Curated entries'],
        [[s.store, String(s.machines), String(s.signals), String(s.curated)]],
      ),
    );
  return 0;
}

export async function machines(a: AdminArgs, io: CliIO): Promise<number> {
  const [sub, name] = a.positionals;
  const now = Date.now();
  switch (sub) {
    case 'list': {
      const list = await withStore(a.config, (st) => st.listMachines());
      if (a.json) {
        io.out(
          JSON.stringify(
            list.map((m) => ({
              machine_id: m.login,
              registered_at: iso(m.registeredAt),
              network: m.network,
              asn: m.asn,
              source: m.source,
              last_login: iso(m.lastLogin),
              last_push: iso(m.lastPush),
              last_pull: iso(m.lastPull),
              signals: m.signals,
              certified_signals: m.certifiedSignals,
              scenarios: m.scenarios.length,
              enrolled: m.enrolledAt !== null,
            })),
            null,
            2,
          ),
        );
      } else {
        io.out(
          renderTable(
            ['Machine', 'Registered', 'Network', 'AS', 'Last pull', 'Signals'],
            list.map((m) => [
              m.login,
              formatRfc3339(m.registeredAt),
              m.network || '-',
              String(m.asn || '-'),
              timeWithAge(m.lastPull, now),
              String(m.signals),
            ]),
          ),
        );
      }
      return 0;
    }
    case 'add': {
      if (!name) throw new CliError('central machines add: expected a MACHINE_ID');
      const secrets = a.config.data ? loadSecrets(a.config.data) : null;
      if (!secrets) throw new CliError('central machines add: --data DIR is required (the pseudonym key lives there)');
      const r = await withStore(a.config, (st) => op.addMachine(st, secrets, name, a.password, now));
      if (a.json) io.out(JSON.stringify({ machine_id: r.machine.login, password: r.password }));
      else io.out(`machine '${r.machine.login}' added\npassword: ${r.password}`);
      return 0;
    }
    case 'delete': {
      if (!name) throw new CliError('central machines delete: expected a MACHINE_ID');
      const ok = await withStore(a.config, (st) => op.deleteMachine(st, name, now));
      if (!ok) throw new CliError(`machine '${name}' not found`, 1);
      io.out(a.json ? JSON.stringify({ deleted: name }) : `machine '${name}' deleted`);
      return 0;
    }
    default:
      throw new CliError('central machines: expected list, add or delete');
  }
}

export async function blocklist(a: AdminArgs, io: CliIO): Promise<number> {
  const [sub] = a.positionals;
  const now = Date.now();
  const target = a.ip ?? a.range;
  switch (sub) {
    case 'add': {
      if (!target) throw new CliError('central blocklist add: --ip IP or --range CIDR required');
      const ms = parseWireDuration(a.duration ?? '24h');
      if (ms === null || ms <= 0)
        throw new CliError(`--duration '${a.duration ?? ''}': a positive duration expected (e.g. 24h, 7d)`);
      const policy = new AddressPolicy(a.config.acceptRanges);
      const rec = await withStore(a.config, (st) =>
        op.addCurated(st, policy, {
          value: target,
          scenario: a.scenario ?? 'picket/curated',
          durationMs: ms,
          now,
        }),
      );
      io.out(
        a.json
          ? JSON.stringify({ value: rec.value, scope: rec.scope, scenario: rec.scenario, until: iso(rec.until) })
          : `${rec.value} added to the curated blocklist until ${formatRfc3339(rec.until)}`,
      );
      return 0;
    }
    case 'delete': {
      if (!target) throw new CliError('central blocklist delete: --ip IP or --range CIDR required');
      const ok = await withStore(a.config, (st) => op.deleteCurated(st, target, now));
      if (!ok) throw new CliError(`${target} is not in the curated blocklist`, 1);
      io.out(a.json ? JSON.stringify({ deleted: target }) : `${target} deleted from the curated blocklist`);
      return 0;
    }
    case 'list': {
      const list = (await withStore(a.config, (st) => st.listCurated())).filter((c) => c.until > now);
      if (a.json)
        io.out(
          JSON.stringify(
            list.map((c) => ({
              value: c.value,
              scope: c.scope,
              scenario: c.scenario,
              until: iso(c.until),
              created_at: iso(c.createdAt),
            })),
            null,
            2,
          ),
        );
      else
        io.out(
          renderTable(
            ['Value', 'Scope', 'Scenario', 'Until'],
            list.map((c) => [c.value, c.scope, c.scenario, formatRfc3339(c.until)]),
          ),
        );
      return 0;
    }
    default:
      throw new CliError('central blocklist: expected add, delete or list');
  }
}

export async function eraseOrDelist(kind: 'erase' | 'delist', a: AdminArgs, io: CliIO): Promise<number> {
  if (!a.ip) throw new CliError(`central ${kind}: --ip IP (or a CIDR) required`);
  const ip = a.ip;
  const now = Date.now();
  if (kind === 'erase') {
    const n = await withStore(a.config, (st) => op.erase(st, ip, now));
    io.out(
      a.json
        ? JSON.stringify({ erased: ip, records_removed: n })
        : `${ip}: ${n} stored records erased; consensus evidence erased by the server`,
    );
  } else {
    await withStore(a.config, (st) => op.delist(st, ip, a.reason ?? '', a.config.appealHoldMs, now));
    io.out(
      a.json
        ? JSON.stringify({ delisted: ip, reason: a.reason ?? '' })
        : `${ip} delisted (every site drops it at its next pull)`,
    );
  }
  return 0;
}
