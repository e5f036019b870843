/** Keeps the last `limit` characters of a growing text (a command's output, for failure cards and checks). */
export class Tail {
  private text = '';
  private cut = false;
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) {
      this.text = this.text.slice(-this.limit);
      this.cut = true;
    }
  }
  /** Whether text was dropped from its start. */
  get truncated(): boolean {
    return this.cut || this.text.length > this.limit;
  }
  toString(): string {
    return this.text.slice(-this.limit);
  }
}
