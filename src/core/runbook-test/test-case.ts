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

/** How an item of a foreach step may be expected to end. */
export const EXPECTED_ITEM_STATUSES: readonly string[] = ['done', 'failed', 'not-reached'];

/** How an item of a foreach step is expected to end; `not-reached` when it never finished. */
export type ExpectedItemStatus = 'done' | 'failed' | 'not-reached';

/** What one item of a foreach step is expected to have done. */
export interface ItemExpectation {
  status?: ExpectedItemStatus;
  commands?: string[];
}

/** What one step is expected to have done. */
export interface StepExpectation {
  status?: ExpectedStepStatus;
  captured?: Record<string, unknown>;
  commands?: string[];
  /** A foreach step's items, by key. */
  items?: Record<string, ItemExpectation>;
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
  /** A foreach step's items that pretend otherwise than the step, by step id and item key; each as `steps`. */
  items: Record<string, Record<string, PretendAttempt[]>>;
  expect: { status?: 'done' | 'failed' | 'aborted'; steps: Record<string, StepExpectation> };
}
