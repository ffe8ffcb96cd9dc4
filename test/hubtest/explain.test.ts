// `picket explain`: node-by-node trace with field diffs and the final outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { explainCommand, diffSnapshots, discoverParsers } from '../../src/cli/commands/explain.js';
import type { EventSnapshot } from '../../src/parser/runtime.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const hub = join(root, 'test/hubtest/fixtures/hub');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await explainCommand.run(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('discoverParsers: hub layout, stage = directory under parsers/', () => {
  const files = discoverParsers(hub);
  assert.deepEqual(
    files.map((f) => f.stage),
    ['s00-raw', 's01-parse', 's02-enrich', 's02-enrich'],
  );
});

test('diffSnapshots: added, changed, removed fields', () => {
  const base = (): EventSnapshot => ({
    Type: 0,
    Stage: '',
    Process: false,
    Parsed: {},
    Meta: {},
    Enriched: {},
    Unmarshaled: {},
    Whitelisted: false,
    WhitelistReason: '',
    StrTime: '',
    StrTimeFormat: '',
    MarshaledTime: '',
    Time: '',
  });
  const a = base();
  a.Parsed = { x: '1', gone: 'g' };
  const b = base();
  b.Parsed = { x: '2', y: '3' };
  b.Whitelisted = true;
  b.WhitelistReason = 'r';
  const d = diffSnapshots(a, b);
  assert.deepEqual(
    d.map((c) => `${c.op}${c.field}`),
    ['~Parsed.x', '+Parsed.y', '-Parsed.gone', '+Whitelisted'],
  );
});

test('explain --line: a poured line shows nodes, diffs and the outcome', async () => {
  const r = await run([
    '--hub',
    hub,
    '--type',
    'syslog',
    '--line',
    'Feb 12 14:10:21 app: login failed for bob from 1.2.3.4',
  ]);
  assert.equal(r.code, 0);
  assert.match(r.out, /🟢 me\/raw/);
  assert.match(r.out, /\+ Parsed\.program = "app"/);
  assert.match(r.out, /\+ Meta\.user = "bob"/);
  assert.match(r.out, /├ Scenarios\n\t\t└ 🟢 me\/app-failed-auth/, 'names the scenario the event enters');
});

test('explain names the scenarios of the default content an event enters, none for others', async () => {
  const line = 'Feb 12 14:10:21 web01 sshd[100]: Failed password for invalid user admin from 192.0.2.7 port 40000 ssh2';
  const r = await run(['--type', 'syslog', '--json', '--line', line]);
  assert.equal(r.code, 0);
  const [t] = JSON.parse(r.out) as { outcome: string; scenarios: string[] }[];
  assert.equal(t!.outcome, 'poured');
  assert.ok(t!.scenarios.includes('picket/ssh-bf'), JSON.stringify(t!.scenarios));
  assert.ok(!t!.scenarios.some((s) => s.startsWith('picket/http')), 'no http scenario takes an sshd line');
  const other = await run([
    '--hub',
    hub,
    '--type',
    'syslog',
    '--line',
    'Feb 12 14:10:21 app: login ok for bob from 1.2.3.4',
  ]);
  assert.doesNotMatch(other.out, /🟢 me\/app-failed-auth/);
});

test('explain --json: whitelisted and dropped lines', async () => {
  const r = await run([
    '--hub',
    hub,
    '--type',
    'syslog',
    '--json',
    '--line',
    'Feb 12 14:10:23 app: login ok for eve from 192.168.1.2\nFeb 12 14:10:22 other: hello',
  ]);
  const traces = JSON.parse(r.out) as { outcome: string; nodes: { node: string; success: boolean }[] }[];
  assert.deepEqual(
    traces.map((t) => t.outcome),
    ['whitelisted', 'dropped'],
  );
  assert.deepEqual(
    traces[1]!.nodes.map((n) => `${n.node}:${n.success}`),
    ['me/raw:true', 'me/app:false'],
  );
});

test('explain: missing --type is a usage error', async () => {
  await assert.rejects(run(['--line', 'x']), /--type/);
});
