// `picket import crowdsec` on a database that Debian's own cscli and crowdsec filled (a temp copy of
// /etc/crowdsec, its database in the temp folder): the bouncer's key, unchanged, is accepted by a Picket LAPI
// over real HTTP, the machine logs in with its password (bcrypt), the active decisions are served, and a
// second import copies nothing. Allowlists (CrowdSec 1.6+ tables) are checked on a database built here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  cscliOn,
  debianAvailable,
  debianCopy,
  startCrowdsecLapi,
  useFreeLapiPort,
  type DebianCopy,
} from '../config/debian-copy.js';
import { picket, startPicket } from '../cli/helpers.js';
import { which } from '../conformance/harness/proc.js';
import { importCrowdsec } from '../../src/import/crowdsec.js';
import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore } from '../../src/store/lapi-store.js';
import { AllowlistStore } from '../../src/store/allowlists.js';

const KEY = 'picket-import-test-key-0123456789';
const PASS = 'Machine-Password-42';

const missing =
  debianAvailable() ||
  (which('cscli') === undefined || which('crowdsec') === undefined
    ? "cscli or crowdsec is missing (Debian's crowdsec package)"
    : false);

/** fills the copy's database with Debian's cscli (bouncer, machine) and crowdsec's LAPI (two decisions) */
async function fillWithCscli(d: DebianCopy): Promise<void> {
  await useFreeLapiPort(d);
  cscliOn(d, 'bouncers', 'add', 'b1', '-k', KEY);
  cscliOn(d, 'machines', 'add', 'm1', '-p', PASS, '-f', path.join(d.dir, 'm1.yaml'));
  const stop = await startCrowdsecLapi(d);
  try {
    cscliOn(d, 'decisions', 'add', '-i', '192.0.2.5', '-d', '4h', '-R', 'import test');
    cscliOn(d, 'decisions', 'add', '-r', '198.51.100.0/24', '-d', '1h', '-t', 'captcha');
  } finally {
    await stop();
  }
}

test(
  "import a database filled by Debian's cscli: same bouncer key, same machine password, active decisions",
  { skip: missing, timeout: 120_000 },
  async () => {
    const d = debianCopy('picket-import-');
    try {
      await fillWithCscli(d);
      const first = await picket(['import', 'crowdsec', '--config', d.config, '-o', 'json']);
      assert.equal(first.code, 0, first.stderr);
      const r1 = JSON.parse(first.stdout) as Record<string, { copied: number; unchanged: number } | null>;
      assert.equal(r1.bouncers!.copied, 1);
      assert.equal(r1.machines!.copied, 2); // m1 and the -a machine
      assert.equal(r1.decisions!.copied, 2);
      assert.equal(r1.allowlists, null);
      const again = JSON.parse(
        (await picket(['import', 'crowdsec', '--config', d.config, '-o', 'json'])).stdout,
      ) as typeof r1;
      assert.deepEqual([again.bouncers!.copied, again.machines!.copied, again.decisions!.copied], [0, 0, 0]);
      assert.equal(again.decisions!.unchanged, 2);
      // Picket on the same data folder (the config's data_dir), LAPI only
      const run = await startPicket(['--no-agent', '--config', d.config, '--metrics', 'off'], d.dir);
      try {
        const res = await fetch(`${run.url}v1/decisions/stream?startup=true`, { headers: { 'X-Api-Key': KEY } });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { new: Array<{ value: string; type: string }> | null };
        assert.deepEqual(body.new!.map((x) => `${x.type} ${x.value}`).sort(), [
          'ban 192.0.2.5',
          'captcha 198.51.100.0/24',
        ]);
        const bad = await fetch(`${run.url}v1/decisions/stream?startup=true`, { headers: { 'X-Api-Key': 'wrong' } });
        assert.equal(bad.status, 403);
        const login = await fetch(`${run.url}v1/watchers/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'crowdsec/v1.4.6' },
          body: JSON.stringify({ machine_id: 'm1', password: PASS }),
        });
        assert.equal(login.status, 200);
        const nope = await fetch(`${run.url}v1/watchers/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'crowdsec/v1.4.6' },
          body: JSON.stringify({ machine_id: 'm1', password: 'nope' }),
        });
        assert.equal(nope.status, 401);
      } finally {
        await run.stop();
      }
    } finally {
      fs.rmSync(d.dir, { recursive: true, force: true });
    }
  },
);

test("allowlists of a CrowdSec 1.6 database are imported; a file that is not CrowdSec's is refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-import-al-'));
  try {
    const file = path.join(dir, 'crowdsec.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE bouncers (id integer PRIMARY KEY, name text, api_key text, revoked bool, ip_address text,
        type text, version text, created_at datetime, updated_at datetime, last_pull datetime, auth_type text);
      CREATE TABLE machines (id integer PRIMARY KEY, machine_id text, password text, ip_address text, scenarios text,
        version text, is_validated bool, auth_type text, created_at datetime, updated_at datetime, last_push datetime,
        last_heartbeat datetime);
      CREATE TABLE alerts (id integer PRIMARY KEY, scenario text);
      CREATE TABLE decisions (id integer PRIMARY KEY, until datetime, scenario text, type text, scope text, value text,
        origin text, simulated bool, alert_decisions integer);
      CREATE TABLE allow_lists (id integer PRIMARY KEY, name text, description text);
      CREATE TABLE allow_list_items (id integer PRIMARY KEY, value text, comment text, expires_at datetime, created_at datetime);
      CREATE TABLE allow_list_allowlist_items (allow_list_id integer, allow_list_item_id integer);
      INSERT INTO allow_lists VALUES (1, 'office', 'office ranges');
      INSERT INTO allow_list_items VALUES (1, '203.0.113.0/24', 'hq', NULL, '2026-01-01 00:00:00+00:00'),
        (2, '192.0.2.1', 'expired', '2020-01-01 00:00:00+00:00', '2019-01-01 00:00:00+00:00');
      INSERT INTO allow_list_allowlist_items VALUES (1, 1), (1, 2);`);
    db.close();
    const env = openStore(path.join(dir, 'picket'));
    try {
      const store = openLapiStore(env, { syncIntervalMs: 0 });
      const allow = new AllowlistStore(env);
      const r = await importCrowdsec(file, store, allow);
      assert.deepEqual(r.allowlists, { copied: 1, updated: 0, unchanged: 0, items: 1 });
      assert.deepEqual(
        allow.get('office')?.items.map((i) => i.value),
        ['203.0.113.0/24'],
      );
      const r2 = await importCrowdsec(file, store, allow);
      assert.deepEqual(r2.allowlists, { copied: 0, updated: 0, unchanged: 1, items: 0 });
      const other = path.join(dir, 'other.db');
      new Database(other).exec('CREATE TABLE t (x int)');
      await assert.rejects(importCrowdsec(other, store, allow), /not a CrowdSec database: no bouncers table/);
      await store.close();
    } finally {
      await env.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
