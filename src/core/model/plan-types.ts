import type { Rendered } from '../shell/rendered.js';
import type { CapturedValue } from './captured-value.js';

/** Where a step's commands run: a host from the inventory. */
export interface HostRef {
  name: string;
  ssh: string;
  user?: string;
  address: string;
  port?: number;
  identity?: string;
  knownHosts?: string;
}

interface CheckBase {
  /** How the check is shown: `zpool list -H tank`, `tcp 192.168.10.1:22`. */
  label: string;
  /** The host the check runs on or from; undefined means locally. */
  host?: HostRef;
  timeoutMs: number;
  /** True when running the check cannot change anything (always true except for `run` checks). */
  readonly: boolean;
}

export type Check =
  | (CheckBase & { kind: 'run'; command: Rendered; exit: number; stdout?: Rendered })
  | (CheckBase & { kind: 'tcp'; target: Rendered })
  | (CheckBase & { kind: 'http'; url: Rendered; status: number })
  | (CheckBase & { kind: 'dns'; name: Rendered; server?: Rendered; type: string; expect: Rendered[] })
  | (CheckBase & { kind: 'path'; path: Rendered; exists: boolean })
  | (CheckBase & { kind: 'age'; source: AgeSource; maxAgeMs: number; asset: string });

/** What an `age` check measures: the newest mtime of a glob's matches, or the newest time a command prints. */
export type AgeSource = { kind: 'path'; glob: Rendered } | { kind: 'run'; command: Rendered };

/** An ask step's question: the answers it takes, and the one given when nobody answers. */
export interface Question {
  text: Rendered;
  choices?: string[];
  /** A regular expression the whole answer must match. */
  pattern?: string;
  default?: string;
}

export type StepAction =
  | { kind: 'run'; command: Rendered }
  | { kind: 'ask'; question: Question }
  | { kind: 'manual'; instructions: Rendered }
  | { kind: 'script'; script: string; args: Rendered[] }
  | { kind: 'wait'; until: Check[]; timeoutMs: number; intervalMs: number };

/** How a step's standard output is read into a named value for later steps. */
export interface CaptureSpec {
  name: string;
  read: 'json' | 'lines' | 'stdout' | 'regex';
  /** The regular expression of a `regex` capture. */
  pattern?: string;
  /** Masked wherever it would be shown or recorded. */
  secret: boolean;
}

/** A `foreach` step's items and how they run: one run of the step per item, `concurrency` at once. */
export interface FanOut {
  /** Written in the runbook, or one reference to a captured list or a var, known at run time. */
  items: { kind: 'list'; values: CapturedValue[] } | { kind: 'ref'; value: Rendered };
  /** The name an item goes by in the step's texts. */
  as: string;
  /** Each item's stable id in the journal; without it, the item itself when text or a number, else its index. */
  key?: Rendered;
  concurrency: number;
  /** How many items may fail before the step fails. */
  tolerateFailures: number;
}

/** The test a `value` condition applies: every operand is compared as text, except the order tests. */
export type ValueTest =
  | { op: 'equals' | 'not_equals'; operand: Rendered }
  | { op: 'matches'; pattern: Rendered }
  | { op: 'in' | 'not_in'; operands: Rendered[] }
  | { op: 'greater_than' | 'less_than'; operand: number };

/** One condition of a step's `when:`: a check that must pass, or a test of a value. */
export type Condition = { kind: 'check'; check: Check } | { kind: 'value'; label: string; value: Rendered; test: ValueTest };

export type Confirm = { kind: 'yes'; message?: string } | { kind: 'typed'; word: Rendered; message?: string };

export type SecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'prompt' };

/** A step ready to run: templates expanded, values interpolated, secrets still by name. */
export interface PlanStep {
  id: string;
  phase: string;
  /** 1-based position: phase number and step number, e.g. 2.3. */
  position: string;
  title: string;
  description?: string;
  action: StepAction;
  host?: HostRef;
  env: Record<string, Rendered>;
  needs: string[];
  /**
   * The step written before it in its phase, when it names no `needs`: run beside other steps
   * (`concurrency` above 1), it still waits for that one. Unset when it writes `needs:`.
   */
  follows?: string;
  precheck: Check[];
  verify: Check[];
  /** What to keep of its command's output for later steps. */
  capture: CaptureSpec[];
  /** Conditions that must all hold for the step to apply. */
  when: Condition[];
  /** Set for a `foreach` step: it runs once per item. */
  foreach?: FanOut;
  timeoutMs?: number;
  retries: number;
  retryDelayMs: number;
  onFailure: 'stop' | 'continue';
  confirm?: Confirm;
  idempotent: boolean;
  /** Running it changes nothing: a probe rehearsal runs it for real, for its captures. */
  readonly?: boolean;
  unattended: 'stop' | 'verify' | 'skip';
  /** The template it came from, if any. */
  template?: string;
  /** False when --only, --from or --skip leave it out. */
  selected: boolean;
  /** Why it is left out, when it is. */
  excludedBy?: string;
}

export interface PlanPhase {
  id: string;
  /** 1-based phase number in restore order. */
  number: number;
  title: string;
  description?: string;
  needs: string[];
  rtoMs?: number;
  /** Recovery point objective: how old the phase's newest backup may be. */
  rpoMs?: number;
  steps: PlanStep[];
}

/** A whole restore in order, the input of compilation and of every display. */
export interface Plan {
  name: string;
  description?: string;
  file: string;
  rtoMs?: number;
  /** Recovery point objective of the whole runbook. */
  rpoMs?: number;
  /** How often a successful drill is due. */
  drillEveryMs?: number;
  /** How many steps may run at once (default 1: one after another in restore order). */
  concurrency?: number;
  vars: Record<string, string>;
  secrets: Record<string, SecretSource>;
  hosts: Record<string, HostRef>;
  phases: PlanPhase[];
}

/** Which steps a run takes: the command line's --only, --from and --skip. */
export interface Selection {
  only?: string[];
  from?: string;
  skip?: string[];
}
