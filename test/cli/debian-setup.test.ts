// A CrowdSec setup copied from Debian's crowdsec package runs unchanged under Picket: /etc/crowdsec's config.yaml
// (paths moved into a temp dir, ports set to 0), profiles.yaml, simulation.yaml, acquis.yaml (only the log file
// paths rewritten) plus an acquis.d/ folder, the notification folder (Debian 1.4.6 ships none: CrowdSec's shipped
// one is used), and a console/context.yaml (1.4.6 predates it: written with `picket lapi context add`, as cscli
// 1.5 writes it) plus a hub contexts item enabled under config_dir/contexts. `picket run --config` on it raises
// an alert with the context in its meta, not simulated (Debian's simulation: off), and the Debian profile's 4 h
// ban; after `picket simulation enable crowdsecurity/ssh-bf` (config_paths.simulation_path), a replay with the
// same config gives the alert simulated. Skipped when /etc/crowdsec is absent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, picket, startPicket, tempDir } from './helpers.js';

const ETC = '/etc/crowdsec';
const HUB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/hub');
const SHIPPED_NOTIFICATIONS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../test/notifications/fixtures/crowdsec',
);

interface Copy {
  dir: string;
  etc: string;
  config: string;
  auth: string;
}

/** the parsers and scenario `cscli collections install crowdsecurity/sshd` would enable, from the shared hub */
function installSshd(etc: string): void {
  const items: [string, string][] = [
    ['parsers/s00-raw/crowdsecurity/syslog-logs.yaml', 'parsers/s00-raw/syslog-logs.yaml'],
    ['parsers/s01-parse/crowdsecurity/sshd-logs.yaml', 'parsers/s01-parse/sshd-logs.yaml'],
    ['parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml', 'parsers/s02-enrich/dateparse-enrich.yaml'],
    ['scenarios/crowdsecurity/ssh-bf.yaml', 'scenarios/ssh-bf.yaml'],
  ];
  for (const [from, to] of items) {
    fs.mkdirSync(path.dirname(path.join(etc, to)), { recursive: true });
    fs.copyFileSync(path.join(HUB, from), path.join(etc, to));
  }
  // a hub contexts item (crowdsecurity/bf_base's shape), enabled as cscli enables it
  fs.mkdirSync(path.join(etc, 'contexts'), { recursive: true });
  fs.writeFileSync(
    path.join(etc, 'contexts', 'bf_base.yaml'),
    'name: crowdsecurity/bf_base\ndescription: "brute force context"\ncontext:\n  service:\n    - evt.Meta.service\n',
  );
}

function debianSetup(): Copy {
  const dir = tempDir('picket-debian-setup-');
  const etc = path.join(dir, 'etc');
  const logs = path.join(dir, 'log');
  fs.mkdirSync(etc);
  fs.mkdirSync(logs);
  for (const f of ['config.yaml', 'profiles.yaml', 'simulation.yaml', 'acquis.yaml'])
    fs.copyFileSync(path.join(ETC, f), path.join(etc, f));
  fs.cpSync(path.join(ETC, 'patterns'), path.join(etc, 'patterns'), { recursive: true });
  const notif = fs.existsSync(path.join(ETC, 'notifications'))
    ? path.join(ETC, 'notifications')
    : SHIPPED_NOTIFICATIONS;
  fs.cpSync(notif, path.join(etc, 'notifications'), { recursive: true });
  if (fs.existsSync(path.join(ETC, 'console', 'context.yaml'))) {
    fs.mkdirSync(path.join(etc, 'console'));
    fs.copyFileSync(path.join(ETC, 'console', 'context.yaml'), path.join(etc, 'console', 'context.yaml'));
  }
  // acquis.yaml: only the log files' paths move into the temp dir
  const acquis = path.join(etc, 'acquis.yaml');
  fs.writeFileSync(
    acquis,
    fs.readFileSync(acquis, 'utf8').replaceAll('/var/log/', `${logs}/`).replaceAll('./tests/nginx/', `${logs}/nginx/`),
  );
  fs.mkdirSync(path.join(etc, 'acquis.d'));
  fs.writeFileSync(
    path.join(etc, 'acquis.d', 'extra.yaml'),
    `filenames:\n  - ${logs}/extra.log\nlabels:\n  type: syslog\n`,
  );
  const config = path.join(etc, 'config.yaml');
  fs.writeFileSync(
    config,
    fs
      .readFileSync(config, 'utf8')
      .replaceAll('/etc/crowdsec/', `${etc}/`)
      .replaceAll('/etc/crowdsec', etc)
      .replaceAll('/var/lib/crowdsec/hub/', `${dir}/hub/`)
      .replaceAll('/var/lib/crowdsec/data/', `${dir}/data/`)
      .replace(/listen_uri: .*/, 'listen_uri: 127.0.0.1:0')
      .replace(/listen_port: .*/, 'listen_port: 0'),
  );
  installSshd(etc);
  const auth = path.join(logs, 'auth.log');
  fs.writeFileSync(auth, '');
  return { dir, etc, config, auth };
}

function attack(ip: string): string {
  const d = new Date();
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  let s = '';
  for (let i = 0; i < 8; i++)
    s += `${ts} deb sshd[${100 + i}]: Failed password for invalid user adm${i} from ${ip} port ${40000 + i} ssh2\n`;
  return s;
}

interface AlertOut {
  scenario: string;
  simulated: boolean;
  source: { value: string };
  meta?: { key: string; value: string }[];
}

test("Debian's CrowdSec setup (config, profiles, simulation, acquis + acquis.d, notifications, context) runs unchanged", async (t) => {
  if (!fs.existsSync(path.join(ETC, 'config.yaml'))) {
    t.skip(`${ETC}/config.yaml is missing (Debian's crowdsec package is not installed)`);
    return;
  }
  const c = debianSetup();
  try {
    if (!fs.existsSync(path.join(c.etc, 'console', 'context.yaml'))) {
      // written where CrowdSec looks by default (config_dir/console/context.yaml), with cscli 1.5's command
      const add = await picket([
        'lapi',
        'context',
        'add',
        '--config',
        c.config,
        '-k',
        'target_user',
        '--value',
        'evt.Meta.target_user',
      ]);
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /key 'target_user' added/);
    }
    const status = await picket(['lapi', 'context', 'status', '--config', c.config, '-o', 'json']);
    assert.equal(status.code, 0, status.stderr);
    const ctx = JSON.parse(status.stdout) as Record<string, string[]>;
    assert.deepEqual(ctx.service, ['evt.Meta.service'], 'the hub item');
    assert.ok(ctx.target_user?.includes('evt.Meta.target_user'), status.stdout);

    const p = await startPicket(
      ['--config', c.config, '--workers', '0', '--poll', '50', '--metrics', 'off', '-o', 'json'],
      c.dir,
    );
    try {
      // the tailers start once the agent said what it watches; a file present at start is read from its end
      // as of the tailer's first poll, so the attack is appended again until an alert shows it was read
      await eventually(async () => /watching /.test(p.stderr()), 'the agent watching its files');
      assert.ok(p.stderr().includes(`content ${c.etc}`), p.stderr());
      let appended = 0;
      const alert = await eventually(
        async () => {
          const found = p
            .stdout()
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as AlertOut)
            .find((a) => a.scenario === 'crowdsecurity/ssh-bf');
          if (!found && Date.now() - appended > 3000) {
            fs.appendFileSync(c.auth, attack('192.0.2.123'));
            appended = Date.now();
          }
          return found;
        },
        'the ssh-bf alert',
        60_000,
      );
      assert.equal(alert.source.value, '192.0.2.123');
      assert.equal(alert.simulated, false, "Debian's simulation.yaml: simulation: off");
      const meta = Object.fromEntries((alert.meta ?? []).map((m) => [m.key, m.value]));
      assert.equal(meta.service, '["ssh"]');
      assert.ok((JSON.parse(meta.target_user!) as string[]).includes('adm0'), meta.target_user);
      // Debian's profile: a 4 h ban
      const list = await eventually(async () => {
        const r = await picket(['decisions', 'list', '-o', 'json', '--data', p.data]);
        const ds = JSON.parse(r.stdout || '[]') as {
          decisions?: { value: string; type: string; duration: string }[];
        }[];
        return ds.flatMap((a) => a.decisions ?? []).find((d) => d.value === '192.0.2.123');
      }, 'the ban');
      assert.equal(list.type, 'ban');
      assert.match(list.duration, /^[34]h/);
    } finally {
      assert.equal(await p.stop(), 0, p.stderr());
    }

    // simulation.yaml found through config_paths.simulation_path: the scenario simulated, in a replay
    const sim = await picket(['simulation', 'enable', 'crowdsecurity/ssh-bf', '--config', c.config]);
    assert.equal(sim.code, 0, sim.stderr);
    assert.match(fs.readFileSync(path.join(c.etc, 'simulation.yaml'), 'utf8'), /crowdsecurity\/ssh-bf/);
    const r = await picket([
      'replay',
      '--config',
      c.config,
      '--content',
      c.etc,
      '--file',
      c.auth,
      '--type',
      'syslog',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const alerts = (JSON.parse(r.stdout) as { alerts: AlertOut[] }).alerts;
    const bf = alerts.find((a) => a.scenario === 'crowdsecurity/ssh-bf');
    assert.equal(bf?.simulated, true, r.stdout.slice(0, 400));
    assert.ok(
      bf?.meta?.some((m) => m.key === 'service' && m.value === '["ssh"]'),
      JSON.stringify(bf?.meta),
    );
  } finally {
    fs.rmSync(c.dir, { recursive: true, force: true });
  }
});
