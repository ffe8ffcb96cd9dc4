// `picket hubtest sweep` on a tiny fixture: a failing static expression is counted per expression
// (both modes), a float static is flagged as an odd value, and the CLI prints the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { formatSweep, runSweep } from '../../src/hubtest/sweep.js';
import { hubtestCommand } from '../../src/cli/commands/hubtest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fx = join(root, 'test/hubtest/fixtures/sweep');

test('sweep: expression errors per expression, odd values, counts', async () => {
  const r = await runSweep({ hubDir: join(fx, 'hub'), testsDir: join(fx, 'tests'), mode: 'both' });
  assert.equal(r.tests, 1);
  assert.equal(r.lines, 4); // 2 lines, replayed in 'all' and 'own' mode
  assert.equal(r.parsed, 4);
  const errs = r.exprErrors.sorted();
  assert.equal(errs.length, 1);
  assert.match(errs[0]!.key, /^parser s01-parse\/me\/odd statics \| evt\.Unmarshaled\.nope\.x \| /);
  assert.equal(errs[0]!.count, 4);
  assert.deepEqual([...errs[0]!.tests], ['t1']);
  const odd = r.oddValues.sorted().map((f) => f.key);
  assert.deepEqual(odd, ['Meta.ratio = N.000000 (integral value printed as a Go %f float)']);
  assert.equal(r.parseErrors.size, 0);
  assert.equal(r.exceptions.size, 0);
  const text = formatSweep(r);
  assert.match(text, /expression runtime errors \(per expression\): 1 distinct, 4 total/);
  assert.match(text, /-> 3\.000000|-> 5\.000000/);
});

test('cli: picket hubtest sweep', async () => {
  const out: string[] = [];
  const code = await hubtestCommand.run(
    ['sweep', '--hub', join(fx, 'hub'), '--tests', join(fx, 'tests'), '--mode', 'own'],
    { out: (s) => out.push(s), err: () => undefined },
  );
  assert.equal(code, 0);
  assert.match(out.join('\n'), /^sweep: 1 tests, 2 lines replayed/);
});
