// A few-entry memory of a pure string function (Upper, Lower, PathUnescape, QueryUnescape): the scenarios of a
// set run one after the other on the same event and ask for the same few fields (http_path, the user agent,
// the referer), so the last answers are asked for again at once. Owns: RecentValues only.

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
    ins[k] = x; this.outs[k] = y;
    this.next = (k + 1) % SIZE;
    if (this.filled < SIZE) this.filled++;
    return y;
  }
}
