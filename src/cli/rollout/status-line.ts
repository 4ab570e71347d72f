import type { TextSink } from '../cli-io.js';

/** One line on a terminal, redrawn in place; `done()` moves on to a fresh line. */
export class StatusLine {
  private drawn = false;
  private last = '';

  constructor(private readonly sink: TextSink) {}

  update(text: string): void {
    if (text === this.last) return;
    // \r to the line start, ESC[2K to clear it: no leftovers from a longer previous text.
    this.sink.write(`\r\x1b[2K${text}`);
    this.drawn = true;
    this.last = text;
  }

  done(): void {
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
    this.last = '';
  }
}
