// Large answers without holding the event loop (issue 11 §4): a body produced a piece at a time, each piece
// written as soon as it is made, pausing for the socket's back-pressure ('drain'); and step generators
// (encoders that pause after each slice). Every such job runs its steps through one scheduler shared by the
// whole process: a turn of the event loop runs steps of the ready jobs round-robin until TURN_MS is spent or
// TURN_BYTES are written, then yields (setImmediate) so that I/O — other requests, the liveness probe — is
// served between turns. Without it, N concurrent answers each pausing with setImmediate would all run one piece
// in the same turn (N pieces back-to-back). Owns: the pacing, not the encodings (./decision-json.ts,
// src/api/protobuf-encode.ts).

import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** decisions encoded between two pauses: a few milliseconds of work */
export const PIECE_DECISIONS = 1000;
/** answers of up to this many decisions are made in one go and sent with their length (the others in pieces) */
export const ONE_PIECE_DECISIONS = 2000;
/** paced work run in one turn of the event loop before other I/O gets its turn */
export const TURN_MS = 10;
/**
 * bytes handed to sockets in one turn: the socket writes themselves happen after the turn (the HTTP layer
 * flushes on the next tick) and copying into a loopback socket costs ~2-3 ms per MB
 */
export const TURN_BYTES = 1024 * 1024;

/** one step of a job: true when it wants another step (it is queued again), false when finished or parked */
type Job = () => boolean;

const ready: Job[] = [];
let head = 0;
let scheduled = false;
/** bytes written by the jobs of the current turn */
let turnBytes = 0;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(turn);
}

/** queues a job for its next step */
function wake(job: Job): void {
  ready.push(job);
  schedule();
}

function turn(): void {
  scheduled = false;
  const t0 = performance.now();
  turnBytes = 0;
  while (head < ready.length) {
    const job = ready[head++]!;
    if (job()) ready.push(job);
    if (turnBytes >= TURN_BYTES || performance.now() - t0 >= TURN_MS) break;
  }
  if (head === ready.length) {
    ready.length = 0;
    head = 0;
    return;
  }
  if (head >= 1024) {
    ready.splice(0, head);
    head = 0;
  }
  schedule();
}

/** Calls `then` once the socket wants more ('drain') or is gone ('close'). */
function whenWritable(res: ServerResponse, then: () => void): void {
  const done = () => {
    res.off('drain', done);
    res.off('close', done);
    then();
  };
  res.on('drain', done);
  res.on('close', done);
}

/**
 * Writes `pieces` as a chunked body (headers already given to writeHead by the caller); each piece is made
 * only when the previous one was handed to the socket, in the scheduler's turns. Stops early when the client
 * goes away. Returns the bytes written.
 */
export function writePieces(res: ServerResponse, pieces: Iterator<string | Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const job: Job = () => {
      try {
        if (res.destroyed) {
          resolve(bytes);
          return false;
        }
        const p = pieces.next();
        if (p.done === true) {
          res.end();
          resolve(bytes);
          return false;
        }
        const chunk = typeof p.value === 'string' ? Buffer.from(p.value) : p.value; // encoded once
        bytes += chunk.length;
        turnBytes += chunk.length;
        if (res.write(chunk) || res.destroyed) return true;
        whenWritable(res, () => wake(job));
        return false;
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return false;
      }
    };
    wake(job);
  });
}

/** Runs a step generator to its end in the scheduler's turns; returns its result. */
export function runSteps<T>(steps: Generator<void, T>): Promise<T> {
  return new Promise((resolve, reject) => {
    wake(() => {
      try {
        const r = steps.next();
        if (r.done !== true) return true;
        resolve(r.value);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
      return false;
    });
  });
}
