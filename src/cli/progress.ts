// Progress of a long CLI operation (`decisions import`) on stderr: a redrawn bar when stderr is a TTY,
// nothing otherwise (the command prints its final count itself, so logs stay readable).
// Owns: drawing and ending the bar.

export class Progress {
  private done = 0;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  advance(n: number): void {
    this.done += n;
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const full = Math.round(frac * width);
    this.stream.write(`\r${this.label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${this.done}/${this.total}`);
  }

  /** ends the bar line (TTY only) */
  finish(): void {
    if (this.tty && this.lastDraw > 0) this.stream.write('\n');
  }
}
