/** Runbook documents as written in YAML, after the schema check (format 1). */

export type VarValue = string | number | boolean | null;

export interface RawSecret {
  env?: string;
  file?: string;
  prompt?: boolean;
  description?: string;
}

export interface RawHost {
  ssh: string;
  port?: number;
  identity?: string;
  known_hosts?: string;
  description?: string;
}

export interface RawCheck {
  name?: string;
  run?: string;
  exit?: number;
  stdout?: string;
  tcp?: string;
  http?: string;
  status?: number;
  dns?: string;
  server?: string;
  type?: string;
  expect?: string | string[];
  path?: string;
  exists?: boolean;
  from?: string;
  timeout?: string | number;
  readonly?: boolean;
  /** How old the newest of something may be: the mtime of a glob's newest match, or times a command prints. */
  age?: { path?: string; run?: string };
  max_age?: string | number;
}

export type RawConfirm = boolean | 'typed' | { typed: string; message?: string };

export interface RawStep {
  id?: string;
  title?: string;
  description?: string;
  run?: string;
  manual?: string;
  script?: string;
  args?: Array<string | number | boolean>;
  wait?: { until: RawCheck[]; timeout?: string | number; interval?: string | number };
  uses?: string;
  with?: Record<string, unknown>;
  on?: string;
  env?: Record<string, string | number | boolean>;
  needs?: string[];
  precheck?: RawCheck[];
  verify?: RawCheck[];
  timeout?: string | number;
  retries?: number;
  retry_delay?: string | number;
  on_failure?: 'stop' | 'continue';
  confirm?: RawConfirm;
  idempotent?: boolean;
  unattended?: 'stop' | 'verify' | 'skip';
}

export interface RawPhase {
  id: string;
  title?: string;
  description?: string;
  needs?: string[];
  on?: string;
  rto?: string | number;
  /** Recovery point objective: how old this phase's newest backup may be. */
  rpo?: string | number;
  steps: RawStep[];
}

export interface RawRunbook {
  format?: 1;
  name: string;
  description?: string;
  rto?: string | number;
  /** Recovery point objective for the whole runbook. */
  rpo?: string | number;
  /** How often a successful drill is due, e.g. 90d. */
  drill_every?: string | number;
  vars?: Record<string, VarValue>;
  secrets?: Record<string, RawSecret>;
  hosts?: Record<string, RawHost>;
  phases: RawPhase[];
}

export type ParamType = 'string' | 'number' | 'boolean' | 'duration' | 'host';

export interface RawParam {
  type?: ParamType;
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
}

export interface RawTemplate {
  description?: string;
  params?: Record<string, RawParam>;
  step: RawStep;
}

/** The step keys that say what a step does; exactly one must be present. */
export const STEP_KINDS = ['run', 'manual', 'script', 'wait', 'uses'] as const;

/** The check keys that say what a check tests; exactly one must be present. */
export const CHECK_KINDS = ['run', 'tcp', 'http', 'dns', 'path', 'age'] as const;
