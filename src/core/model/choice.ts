/** The operator's answer to a menu. */
export type Choice = 'run' | 'skip' | 'retry' | 'mark-done' | 'abort';
