// Deterministic random input for the store tests and benchmarks. Owns: the seeded PRNG and random
// address / prefix generation.

import type { IpRange } from '../../src/store/records.js';

/** Deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Clears every bit at or after position prefix (bit by bit: an independent twin of the parser's masking). */
export function zeroHostBits(b: Uint8Array, prefix: number): void {
  for (let i = prefix; i < b.length * 8; i++) b[i >> 3] = b[i >> 3]! & ~(0x80 >> (i & 7));
}

/** A range of the given family and prefix over random bits (host bits zeroed). */
export function randomPrefix(rand: () => number, family: 4 | 6, prefix: number): IpRange {
  const b = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
  zeroHostBits(b, prefix);
  return { family, bytes: b, prefix };
}
