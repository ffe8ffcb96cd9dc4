// A few-entry memory of a pure string function (Upper, Lower, PathUnescape, QueryUnescape): the scenarios of a
// set run one after the other on the same event and ask for the same few fields (http_path, the user agent,
// the referer), so the last answers are asked for again at once. Also AnswerMemory, a bounded per-input memory
// of a predicate's answers. Owns: those two.

const SIZE = 4;

export class RecentValues {
  private readonly ins: string[] = new Array<string>(SIZE).fill('');
  private readonly outs: string[] = new Array<string>(SIZE).fill('');
  private filled = 0;
  private next = 0;
  constructor(private readonly f: (s: string) => string) {}

  get(x: string): string {
    const ins = this.ins;
    for (let i = 0; i < this.filled; i++) if (ins[i] === x) return this.outs[i]!;
    const y = this.f(x);
    const k = this.next;
    ins[k] = x;
    this.outs[k] = y;
    this.next = (k + 1) % SIZE;
    if (this.filled < SIZE) this.filled++;
    return y;
  }
}

/** Longest input whose answer AnswerMemory keeps (longer ones are recomputed: a bound on memory). */
const ANSWER_MAX_LENGTH = 512;

/**
 * Remembered answers of a fixed predicate per input string (RegexpInFile over one data file, `any` over one
 * file's lines): the same user agents and paths come back line after line. Bounded: cleared when full.
 */
export class AnswerMemory {
  private readonly m = new Map<string, boolean>();
  constructor(private readonly maxEntries: number) {}
  get(x: string): boolean | undefined {
    return x.length > ANSWER_MAX_LENGTH ? undefined : this.m.get(x);
  }
  set(x: string, answer: boolean): void {
    if (x.length > ANSWER_MAX_LENGTH) return;
    if (this.m.size >= this.maxEntries) this.m.clear();
    this.m.set(x, answer);
  }
}
