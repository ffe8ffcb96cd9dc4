// Large answers without holding the event loop (issue 11 §4): a body produced a piece at a time, each piece
// written as soon as it is made, pausing for the socket's back-pressure ('drain') and letting other requests
// run (setImmediate) between pieces; and step generators (encoders that pause after each slice) run with the
// same pauses. Owns: the pacing, not the encodings (./decision-json.ts, src/api/protobuf-encode.ts).

import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** decisions encoded between two pauses: a few milliseconds of work */
export const PIECE_DECISIONS = 2000;

/** Resolves when the socket wants more ('drain') or is gone ('close'). */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes `pieces` as a chunked body (headers already given to writeHead by the caller); each piece is made
 * only when the previous one was handed to the socket. Stops early when the client goes away. Returns the
 * bytes written.
 */
export async function writePieces(res: ServerResponse, pieces: Iterator<string | Buffer>): Promise<number> {
  let bytes = 0;
  for (;;) {
    if (res.destroyed) return bytes;
    const p = pieces.next();
    if (p.done === true) break;
    const chunk = typeof p.value === 'string' ? Buffer.from(p.value) : p.value; // encoded once
    bytes += chunk.length;
    if (!res.write(chunk)) await writable(res);
    else await nextTurn();
  }
  res.end();
  return bytes;
}

/** Runs a step generator to its end, letting other work run between its steps; returns its result. */
export async function runSteps<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await nextTurn();
  }
}
