// Buffered stdout: a listing of thousands of lines is written in a few large chunks instead of
// one write per line; stdout is flushed before anything goes to stderr so a terminal shows the
// two streams in order.

import { encodeLossless } from '../lossless-text.js';

export class Output {
  private chunks: string[] = [];
  private size = 0;

  out(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  err(text: string): void {
    this.flush();
    process.stderr.write(encodeLossless(text));
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    process.stdout.write(encodeLossless(this.chunks.join('')));
    this.chunks = [];
    this.size = 0;
  }
}
