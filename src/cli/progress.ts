// Progress of a long CLI operation (`decisions import`) on stderr: a cli-progress bar redrawn when stderr is a
// TTY, nothing otherwise (the command prints its final count itself, so logs stay readable).
// Owns: the bar's format (`label [####......] done/total`, as before) and its start and end.

import cliProgress from 'cli-progress';

export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  private done = 0;

  constructor(
    total: number,
    label: string,
    stream: NodeJS.WriteStream = process.stderr,
    tty = Boolean(process.stderr.isTTY),
  ) {
    this.bar = tty
      ? new cliProgress.SingleBar({
          format: `${label} [{bar}] {value}/{total}`,
          barCompleteChar: '#',
          barIncompleteChar: '.',
          barsize: 30,
          stream,
          fps: 10,
          hideCursor: false,
          clearOnComplete: false,
          noTTYOutput: false,
        })
      : null;
    this.bar?.start(total, 0);
  }

  advance(n: number): void {
    this.done += n;
    this.bar?.update(this.done);
  }

  /** ends the bar line (TTY only) */
  finish(): void {
    this.bar?.stop();
  }
}
