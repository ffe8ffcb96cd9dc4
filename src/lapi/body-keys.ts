// Counting one JSON object key in a request body while it arrives (issue 11 §4): a body that holds more of a
// counted thing than a route accepts (POST /v1/alerts: decisions, counted by their `"duration":` key) is refused
// without being kept or parsed — parsing a 46 MB body just to refuse it held the event loop for a second. The
// count may fall short (a key split by unusual white space is not counted: the route's own checks after parsing
// still apply), never over: a quoted key followed by `:` only occurs as a key (inside a string the quotes are
// escaped). Owns: the counting; readBody (./body.ts) applies the limit.

/** What readBody counts and refuses: more than `max` occurrences of the key `key` -> 400 `message(count)`. */
export interface KeyLimit {
  key: string;
  max: number;
  message: (count: number) => string;
}

/** longest white space kept between a key and its colon across two chunks */
const SPACE_KEPT = 16;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

export class KeyCounter {
  count = 0;
  private readonly pattern: Buffer;
  private carry: Buffer = Buffer.alloc(0);
  /** bytes fed so far */
  private offset = 0;
  /** absolute position of the last key counted (a match seen again in the carried bytes is not counted twice) */
  private lastCounted = -1;

  constructor(key: string) {
    this.pattern = Buffer.from(JSON.stringify(key));
  }

  feed(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.offset - this.carry.length;
    const p = this.pattern;
    for (let i = buf.indexOf(p); i >= 0; i = buf.indexOf(p, i + 1)) {
      let j = i + p.length;
      while (j < buf.length && isSpace(buf[j])) j++;
      if (j === buf.length) break; // undecided: looked at again with the next chunk
      if (buf[j] === 0x3a && base + i > this.lastCounted) {
        this.count++;
        this.lastCounted = base + i;
      }
    }
    this.offset += chunk.length;
    const keep = Math.min(buf.length, p.length + SPACE_KEPT);
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
  }
}
