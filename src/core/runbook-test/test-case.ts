import type { YamlPath } from '../parse/yaml-path.js';

/** A check's pretended result. */
export type PretendResult = 'pass' | 'fail';

/** What a step pretends for one attempt of its command; unset fields take the defaults. */
export interface PretendAttempt {
  exit?: number;
  stdout?: string;
  stderr?: string;
  /** One result per call, the last repeating. */
  precheck?: PretendResult[];
  verify?: PretendResult[];
  when?: PretendResult[];
  wait?: PretendResult[];
}

/** How a step may be expected to end; `not-reached` when the run never finished it. */
export const EXPECTED_STEP_STATUSES: readonly string[] = ['done', 'skipped', 'not-applicable', 'failed', 'not-reached'];

/** How a step is expected to end. */
export type ExpectedStepStatus = 'done' | 'skipped' | 'not-applicable' | 'failed' | 'not-reached';

/** What one step is expected to have done. */
export interface StepExpectation {
  status?: ExpectedStepStatus;
  captured?: Record<string, unknown>;
  commands?: string[];
}

/** One case of a runbook test file: the pretended world and the outcome expected. */
export interface TestCase {
  name: string;
  file: string;
  /** Where the case stands in its file (`tests[2]`), for positions. */
  at: YamlPath;
  /** The line the case starts on, to find it from the report. */
  line: number;
  vars: Record<string, string>;
  answers: Record<string, string>;
  confirm: string[];
  only?: string[];
  skip?: string[];
  /** By step id: one entry per attempt, the last repeating. */
  steps: Record<string, PretendAttempt[]>;
  expect: { status?: 'done' | 'failed' | 'aborted'; steps: Record<string, StepExpectation> };
}
