/** A captured value: what JSON can hold (a regex or stdout capture is a string, a lines capture a list of strings). */
export type CapturedValue = string | number | boolean | null | CapturedValue[] | { [key: string]: CapturedValue };

/** The values a run has captured, by step id, then by name. */
export type Captures = Readonly<Record<string, Readonly<Record<string, CapturedValue>>>>;
