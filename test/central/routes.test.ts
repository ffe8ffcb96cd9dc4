// The route suite (./route-suite.ts) on the embedded LMDB store.
import { routeSuite } from './route-suite.js';
import { startEnv } from './helpers.js';

routeSuite('embedded store', () => startEnv());
