// keepTickObjectShape (src/core/tick-object.ts): node's tick objects keep one V8 map across full GCs. A child node
// (--expose-gc, --allow-natives-syntax for %DebugPrint) captures a tick object through an async hook, prints its map,
// drops it, runs full GCs, four times: without the keeper each GC frees the map and the next tick object gets a new
// one (the control, so the test can tell); with it the map is the same every time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/core/tick-object.js', import.meta.url));

const SCRIPT = `
import { createHook } from 'node:async_hooks';
import { keepTickObjectShape } from ${JSON.stringify(MODULE)};
if (process.argv[1] === 'keep') keepTickObjectShape();
function capture() {
  let got = null;
  const h = createHook({ init(id, type, t, r) { if (type === 'TickObject' && got === null) got = r; } });
  h.enable(); process.nextTick(() => {}); h.disable();
  return got;
}
for (let i = 0; i < 4; i++) {
  let o = capture();
  eval('%DebugPrint(o)');
  o = null;
  await new Promise((r) => setImmediate(r));
  globalThis.gc(); globalThis.gc();
  await new Promise((r) => setTimeout(r, 10));
}
`;

function tickMaps(mode: string): string[] {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '--input-type=module', '-e', SCRIPT, mode],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/^ - map: (0x[0-9a-f]+)/gm)].map((m) => m[1]!);
}

test('tick objects keep one map across full GCs once a tick object is kept (and do not without)', () => {
  const without = tickMaps('plain');
  assert.equal(without.length, 4);
  assert.ok(new Set(without).size > 1, `control: maps ${without.join(' ')}`);
  const kept = tickMaps('keep');
  assert.equal(kept.length, 4);
  assert.equal(new Set(kept).size, 1, `maps ${kept.join(' ')}`);
});
