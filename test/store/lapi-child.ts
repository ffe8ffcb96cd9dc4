// Child process of the LAPI store durability tests (not a test file): opens the store of a data folder and
// runs one command, printing "committed ..." once the write promise resolved.
//   node lapi-child.js DIR add N         adds N alerts (one decision each), prints "committed <ids>", then
//                                        keeps writing until killed
//   node lapi-child.js DIR bouncer NAME HASH | unbouncer NAME | decide IP   one write, then exits
//   node lapi-child.js DIR big N         one alert of N decisions (203.0.113.x, 198.19.x.x), written in chunks;
//                                        with PICKET_TEST_CHUNK_PAUSE=1 it stops after each chunk until a line
//                                        arrives on stdin (src/store/alerts.ts), so a test can kill it there
// Without arguments (e.g. picked up by a test runner) it does nothing.

import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore } from '../../src/store/lapi-store.js';
import { alert, bouncer, decision } from './lapi-fixtures.js';

async function main(dir: string, cmd: string, args: string[]): Promise<void> {
  const store = openStore(dir);
  const lapi = openLapiStore(store, { syncIntervalMs: 0 });
  const until = Date.now() + 3_600_000;
  switch (cmd) {
    case 'add': {
      const n = Number(args[0]);
      const batch = Array.from({ length: n }, (_, i) => alert([decision(`198.18.${i >> 8}.${i & 255}`, until)]));
      const ids = await lapi.addAlerts(batch);
      process.stdout.write(`committed ${ids[0]}-${ids[ids.length - 1]}\n`);
      for (;;) await lapi.addAlerts(batch); // still writing when the kill lands
    }
    case 'bouncer':
      await lapi.putBouncer(bouncer(args[0], args[1]));
      break;
    case 'unbouncer':
      await lapi.deleteBouncer(args[0]);
      break;
    case 'big': {
      const n = Number(args[0]);
      const ds = Array.from({ length: n }, (_, i) => decision(`198.19.${i >> 8}.${i & 255}`, until));
      const [id] = await lapi.addAlerts([alert(ds)]);
      process.stdout.write(`alert ${id}\n`);
      break;
    }
    case 'decide':
      await lapi.addAlerts([alert([decision(args[0], until)])]);
      break;
    default:
      throw new Error(`unknown command ${cmd}`);
  }
  process.stdout.write('committed\n');
  await lapi.close();
  await store.close();
}

const [dir, cmd, ...rest] = process.argv.slice(2);
if (dir !== undefined && cmd !== undefined) {
  main(dir, cmd, rest).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
