import type { Rendered } from '../shell/rendered.js';

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

export type StepAction =
  | { kind: 'run'; command: Rendered }
  | { kind: 'manual'; instructions: Rendered }
  | { kind: 'script'; script: string; args: Rendered[] }
  | { kind: 'wait'; until: Check[]; timeoutMs: number; intervalMs: number };

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
  precheck: Check[];
  verify: Check[];
  timeoutMs?: number;
  retries: number;
  retryDelayMs: number;
  onFailure: 'stop' | 'continue';
  confirm?: Confirm;
  idempotent: boolean;
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
