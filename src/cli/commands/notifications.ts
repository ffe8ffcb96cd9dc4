// `picket notifications list|inspect|test|reinject` (cscli notifications): the notifications of the config's
// notification_dir and the profiles that name them; one notification's settings; a generic test alert sent
// through one notification now; an alert read back from the LAPI sent again through the notifications its
// matching profiles name. Owns these sub-commands' options and output.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveContext, withWatcher, type ApiContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import { loadProfiles } from '../run-lapi.js';
import { DEFAULT_NOTIFICATION_DIR } from '../../config/defaults.js';
import { errorMessage, isPicketError } from '../../core/errors.js';
import { Notifier, type AlertJson, type NotificationConfig } from '../../notifications/index.js';
import { profileNotifications, testAlert } from '../../notifications/reinject.js';
import type { Profile } from '../../profiles/index.js';

const usage = `Usage: picket notifications list [-o human|json]
       picket notifications inspect NAME [-o human|json]
       picket notifications test NAME [--alert JSON]
       picket notifications reinject ALERT_ID [--alert JSON]

The notifications of the config file's notification_dir (CrowdSec's notification YAML files; default
${DEFAULT_NOTIFICATION_DIR}) and the profiles (profiles_path) that name them.

  list      every notification: active (named by a profile), name, type, profiles
  inspect   one notification's settings and format
  test      render a generic alert (10.10.10.10, "test alert") with NAME's format and send it now
  reinject  read alert ALERT_ID from the Local API and send it through the notifications its matching
            profiles name

Options:
  --alert JSON      (test, reinject) fields that replace the alert's (e.g. '{"scenario":"x"}')
  -o FORMAT         human (default) or json
${COMMON_HELP}`;

const OPTIONS = { ...COMMON_OPTIONS, output: { type: 'string', short: 'o' }, alert: { type: 'string' } } as const;

function loadAll(ctx: ApiContext): { notifier: Notifier; profiles: Profile[] } {
  const profiles = loadProfiles(ctx.config.profilesPath);
  try {
    return { notifier: Notifier.load(ctx.config.notificationDir ?? DEFAULT_NOTIFICATION_DIR), profiles };
  } catch (e) {
    if (isPicketError(e)) throw new CliError(e.message, 1);
    throw e;
  }
}

function profilesOf(profiles: Profile[], name: string): string[] {
  return profiles.filter((p) => p.notifications.includes(name)).map((p) => p.name);
}

function configJSON(c: NotificationConfig, profiles: Profile[]): Record<string, unknown> {
  const used = profilesOf(profiles, c.name);
  return {
    name: c.name,
    type: c.type,
    active: used.length > 0,
    profiles: used,
    file: c.where.replace(/:\d+$/, ''),
    group_wait: `${c.groupWaitMs / 1000}s`,
    group_threshold: c.groupThreshold,
    max_retry: c.maxRetry,
    timeout: `${c.timeoutMs / 1000}s`,
    log_level: c.logLevel,
    format: c.format,
  };
}

function overrides(v: { alert?: string | boolean }): AlertJson {
  if (v.alert === undefined) return {};
  let o: unknown;
  try {
    o = JSON.parse(v.alert as string);
  } catch (e) {
    throw new CliError(`--alert: not valid JSON: ${errorMessage(e)}`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new CliError('--alert: expected a JSON object');
  return o as AlertJson;
}

async function send(notifier: Notifier, names: string[], alert: AlertJson, io: CliIO): Promise<number> {
  let failed = 0;
  for (const name of names) {
    try {
      await notifier.channel(name).sendBatch([alert]);
      io.out(`notification '${name}': alert sent`);
    } catch (e) {
      failed++;
      io.err(`notification '${name}': not sent: ${errorMessage(e)}`);
    }
  }
  await notifier.close();
  return failed === 0 ? 0 : 1;
}

function one(sub: string, positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new CliError(`notifications ${sub}: expected ${what} (see picket notifications --help)`);
  return positionals[0]!;
}

function configOf(notifier: Notifier, name: string): NotificationConfig {
  const c = notifier.configs.get(name);
  if (!c)
    throw new CliError(
      `notification '${name}' is not defined (defined: ${[...notifier.configs.keys()].join(', ') || 'none'})`,
      1,
    );
  return c;
}

export const notificationsCommand: Command = {
  name: 'notifications',
  summary: 'list, inspect, test and reinject notifications',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('notifications', rest, OPTIONS, true);
    if (sub === undefined || values.help) {
      io.out(usage);
      return sub === undefined ? 2 : 0;
    }
    const fmt = outputFormat(values.output, ['human', 'json']);
    const ctx = resolveContext(values);
    const { notifier, profiles } = loadAll(ctx);
    switch (sub) {
      case 'list': {
        const rows = [...notifier.configs.values()].map((c) => configJSON(c, profiles));
        if (fmt === 'json') io.out(JSON.stringify(rows, null, 2));
        else
          io.out(
            renderTable(
              ['Active', 'Name', 'Type', 'Profile name'],
              rows.map((r) => [
                r.active ? '✔️' : '',
                String(r.name),
                String(r.type),
                (r.profiles as string[]).join(', '),
              ]),
            ),
          );
        return 0;
      }
      case 'inspect': {
        const c = configOf(notifier, one(sub, positionals, 'one NAME'));
        const j = configJSON(c, profiles);
        if (fmt === 'json') {
          io.out(JSON.stringify({ ...j, options: c.options }, null, 2));
          return 0;
        }
        io.out(
          [
            ` - Name: ${c.name}`,
            ` - Type: ${c.type}`,
            ` - File: ${String(j.file)}`,
            ` - Timeout: ${String(j.timeout)}`,
            ` - Max retry: ${c.maxRetry}`,
            ` - Group wait: ${String(j.group_wait)}`,
            ` - Group threshold: ${c.groupThreshold}`,
            ` - Profiles: ${(j.profiles as string[]).join(', ') || '(none)'}`,
            ` - Format:`,
            c.format,
          ].join('\n'),
        );
        return 0;
      }
      case 'test': {
        const name = one(sub, positionals, 'one NAME');
        configOf(notifier, name);
        return send(notifier, [name], { ...testAlert(Date.now()), ...overrides(values) }, io);
      }
      case 'reinject': {
        const id = one(sub, positionals, 'one ALERT_ID');
        if (!/^\d+$/.test(id)) throw new CliError(`notifications reinject: '${id}' is not an alert id (a number)`);
        const got = (await withWatcher(ctx, (w) => w.getAlert(id))) as unknown as AlertJson;
        const alert = { ...got, ...overrides(values) };
        const { names, warnings } = profileNotifications(profiles, alert, Date.now());
        for (const w of warnings) io.err(`profiles: ${w}`);
        if (names.length === 0) {
          io.out(`alert ${id}: no profile with notifications matches it`);
          return 0;
        }
        for (const n of names) configOf(notifier, n);
        return send(notifier, names, alert, io);
      }
      default:
        throw new CliError(`notifications: unknown sub-command '${sub}' (list, inspect, test, reinject)`);
    }
  },
};
