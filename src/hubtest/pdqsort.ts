// Go's `sort.Sort` (Go >= 1.19, package sort, pattern-defeating quicksort), reproduced step for step so
// that the order it leaves *equal* elements in is the same as Go's. CrowdSec's hubtest sorts the bucket
// dump with `sort.Sort(BucketResults(...))` (descending by scenario + "@"-joined sources) before asserting
// `results[i]`; with more than 12 overflows the sort is not stable, and ties (same scenario and source)
// end up wherever pdqsort leaves them. The scorer sorts stably and keeps our order for ties, so the
// runner must emit alerts in Go's order.
//
// The algorithm works only through Less(i, j) and Swap(i, j) on indices, exactly like sort.Interface,
// so every comparison/swap happens in the same sequence as in Go.

export interface SortInterface {
  len(): number;
  less(i: number, j: number): boolean;
  swap(i: number, j: number): void;
}

const enum Hint {
  Unknown = 0,
  Increasing = 1,
  Decreasing = 2,
}

const MASK64 = (1n << 64n) - 1n;

/**
 * Shift constants of breakPatterns' xorshift. Go 1.19..1.23 used (13, 17, 5); Go 1.24 switched to the
 * xorshift64 constants (13, 7, 17) (golang/go#70144). CrowdSec builds of the hub era we follow use
 * Go >= 1.24, hence the default. Only matters when a partition was unbalanced (breakPatterns runs).
 */
export type XorshiftVariant = 'go1.24' | 'go1.19';

/** Go's `type xorshift uint64` with its Next() method. */
export class Xorshift {
  private s: bigint;
  constructor(
    seed: number,
    private readonly variant: XorshiftVariant = 'go1.24',
  ) {
    this.s = BigInt(seed) & MASK64;
  }
  next(): bigint {
    let r = this.s;
    if (this.variant === 'go1.19') {
      r ^= (r << 13n) & MASK64;
      r ^= r >> 17n;
      r ^= (r << 5n) & MASK64;
    } else {
      r ^= (r << 13n) & MASK64;
      r ^= r >> 7n;
      r ^= (r << 17n) & MASK64;
    }
    this.s = r;
    return r;
  }
}

/** bits.Len(uint(x)): number of bits needed to represent x (0 for 0). */
export function bitsLen(x: number): number {
  let n = 0;
  while (x > 0) {
    n++;
    x = Math.floor(x / 2);
  }
  return n;
}

/** nextPowerOfTwo(length) = 1 << bits.Len(uint(length)). */
export function nextPowerOfTwo(length: number): number {
  return 2 ** bitsLen(length);
}

export function insertionSort(data: SortInterface, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
  }
}

function siftDown(data: SortInterface, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

export function heapSort(data: SortInterface, a: number, b: number): void {
  const first = a;
  const lo = 0;
  const hi = b - a;
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(first, first + i);
    siftDown(data, lo, i, first);
  }
}

/** Sorts data[a:b] (pdqsort without BlockQuicksort); limit = bad pivots allowed before heapsort. */
export function pdqsort(
  data: SortInterface,
  a: number,
  b: number,
  limit: number,
  variant: XorshiftVariant = 'go1.24',
): void {
  const maxInsertion = 12;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= maxInsertion) {
      insertionSort(data, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b, variant);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b);
    if (hint === Hint.Decreasing) {
      reverseRange(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = Hint.Increasing;
    }
    if (wasBalanced && wasPartitioned && hint === Hint.Increasing) {
      if (partialInsertionSort(data, a, b)) return;
    }
    // Go checks `a > 0`: the element before the range (from the enclosing call) is a former pivot.
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.trunc(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(data, a, mid, limit, variant);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit, variant);
      b = mid;
    }
  }
}

/** One quicksort partition around data[pivot]; returns the pivot's new index and whether no swap was needed. */
export function partition(data: SortInterface, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  data.swap(j, a);
  return [j, false];
}

/** Partitions data[a:b] into elements equal to data[pivot] then greater ones (no smaller ones assumed). */
export function partitionEqual(data: SortInterface, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  return i;
}

/** Partially sorts data[a:b]; true if it ends up sorted. */
export function partialInsertionSort(data: SortInterface, a: number, b: number): boolean {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < shortestShifting) return false;
    data.swap(i, i - 1);
    // shift the smaller one to the left (Go's loop bound is `j >= 1`, not `j > a`: kept as is)
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
    // shift the greater one to the right
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
  }
  return false;
}

/** Scatters three elements around the middle of data[a:b], with an xorshift seeded by the length. */
export function breakPatterns(data: SortInterface, a: number, b: number, variant: XorshiftVariant = 'go1.24'): void {
  const length = b - a;
  if (length < 8) return;
  const random = new Xorshift(length, variant);
  const modulus = BigInt(nextPowerOfTwo(length));
  const mid = a + Math.trunc(length / 4) * 2;
  for (let idx = mid - 1; idx <= mid + 1; idx++) {
    let other = Number(random.next() & (modulus - 1n));
    if (other >= length) other -= length;
    data.swap(idx, a + other);
  }
}

/** order2: returns [x, y] with data[x] <= data[y]; counts a swap when b < a. */
function order2(data: SortInterface, a: number, b: number, swaps: { n: number }): [number, number] {
  if (data.less(b, a)) {
    swaps.n++;
    return [b, a];
  }
  return [a, b];
}

/** Index of the median of data[a], data[b], data[c]. */
export function median(data: SortInterface, a: number, b: number, c: number, swaps: { n: number }): number {
  [a, b] = order2(data, a, b, swaps);
  [b] = order2(data, b, c, swaps);
  [, b] = order2(data, a, b, swaps);
  return b;
}

/** Index of the median of data[a-1], data[a], data[a+1]. */
export function medianAdjacent(data: SortInterface, a: number, swaps: { n: number }): number {
  return median(data, a - 1, a, a + 1, swaps);
}

/** Chooses a pivot in data[a:b]: static below 8, median of three below 50, Tukey's ninther above. */
export function choosePivot(data: SortInterface, a: number, b: number): [number, Hint] {
  const shortestNinther = 50;
  const maxSwaps = 4 * 3;
  const l = b - a;
  const swaps = { n: 0 };
  const q = Math.trunc(l / 4);
  let i = a + q * 1;
  let j = a + q * 2;
  let k = a + q * 3;
  if (l >= 8) {
    if (l >= shortestNinther) {
      i = medianAdjacent(data, i, swaps);
      j = medianAdjacent(data, j, swaps);
      k = medianAdjacent(data, k, swaps);
    }
    j = median(data, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, Hint.Increasing];
  if (swaps.n === maxSwaps) return [j, Hint.Decreasing];
  return [j, Hint.Unknown];
}

export function reverseRange(data: SortInterface, a: number, b: number): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    data.swap(i, j);
    i++;
    j--;
  }
}

/** Go's sort.Sort(data). */
export function goSort(data: SortInterface, variant: XorshiftVariant = 'go1.24'): void {
  const n = data.len();
  if (n <= 1) return;
  pdqsort(data, 0, n, bitsLen(n), variant);
}

/** sort.Sort over a JS array with a Go-style less(x, y); sorts in place and returns the array. */
export function goSortSlice<T>(arr: T[], less: (x: T, y: T) => boolean, variant: XorshiftVariant = 'go1.24'): T[] {
  goSort(
    {
      len: () => arr.length,
      less: (i, j) => less(arr[i]!, arr[j]!),
      swap: (i, j) => {
        const t = arr[i]!;
        arr[i] = arr[j]!;
        arr[j] = t;
      },
    },
    variant,
  );
  return arr;
}

/** Go string comparison (byte-wise on UTF-8): -1, 0, 1. */
export function goStringCompare(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const a = x.charCodeAt(i);
    const b = y.charCodeAt(i);
    if (a === b) continue;
    // UTF-16 order equals UTF-8 byte order except surrogates (U+10000..) vs U+E000..U+FFFF
    if (a < 0x80 && b < 0x80) return a < b ? -1 : 1;
    return Buffer.compare(Buffer.from(x), Buffer.from(y));
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}
