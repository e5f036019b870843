/**
 * Run records that cannot be used as written (a damaged journal, run.json or snapshot): the
 * operator's data, not a bug, so it is told with the file, what was found and how to go on.
 */
export class DataError extends Error {
  readonly expected?: string;
  readonly received?: string;
  readonly hint?: string;
  constructor(message: string, details: { expected?: string; received?: string; hint?: string } = {}) {
    super(message);
    this.name = 'DataError';
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
  }
}
