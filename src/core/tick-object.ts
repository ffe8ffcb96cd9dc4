// Keeps one of node's `process.nextTick` tick objects alive for the life of the process. Owns that one reference.
//
// Why: node builds each tick object with an object literal whose first keys are computed (async-id symbols). V8
// takes the map of such a literal from a per-context cache that holds it weakly, so a full GC at a moment when no
// tick object is alive frees the map, and the next tick object gets a new one. After a few of those GCs (a LAPI
// with a large decision index runs several while it loads) the feedback of that literal has seen too many maps and
// every tick object is then defined through V8's runtime (Runtime_DefineKeyedOwnPropertyInLiteral, map transitions):
// 8-12% of the LAPI's CPU under a lookup load (node's stream internals call nextTick 5-6 times per HTTP request),
// measured with perf in bench/RESULTS.md, reproduced in a bare node:http server by forcing full GCs. A live tick
// object keeps its map, and through the maps' back pointers the whole transition chain, from being collected.

import { createHook } from 'node:async_hooks';

let kept: object | null = null;

/** Idempotent; call early (before a large heap is built), e.g. when a server starts. */
export function keepTickObjectShape(): void {
  if (kept !== null) return;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && kept === null) kept = resource;
    },
  });
  hook.enable();
  process.nextTick(() => undefined);
  hook.disable();
}
