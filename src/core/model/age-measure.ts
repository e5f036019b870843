/** What an `age` check measured: recorded with its result, so the RPO of each asset is on record. */
export interface AgeMeasure {
  /** Seconds from the newest time found to the check. */
  ageSeconds: number;
  /** The newest time found, ISO 8601. */
  newest: string;
  /** The check's max_age, in seconds. */
  maxAgeSeconds: number;
}
