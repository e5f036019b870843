const MAX_PENDING = 8 * 1024;

/**
 * Regroups output chunks into whole lines per stream, so that secret masking and the screens
 * never see a line (or a secret) cut in two.
 */
export class LineBuffer {
  private readonly pending = { stdout: '', stderr: '' };
  constructor(private readonly emit: (stream: 'stdout' | 'stderr', text: string) => void) {}

  /** Adds a chunk; emits every complete line it finishes. */
  push(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.pending[stream] + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0 && text.length < MAX_PENDING) {
      this.pending[stream] = text;
      return;
    }
    const end = cut < 0 ? text.length : cut + 1;
    this.pending[stream] = text.slice(end);
    this.emit(stream, text.slice(0, end));
  }

  /** Emits what is left once the command has ended. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream]) this.emit(stream, `${this.pending[stream]}\n`);
      this.pending[stream] = '';
    }
  }
}
