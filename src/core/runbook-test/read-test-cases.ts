import type { Problem } from '../model/problem.js';
import { parseSource, positionOf, type SourceDoc, type SourceFile } from '../parse/source-doc.js';
import type { SchemaCheck } from '../validate/schema-check.js';
import type { ItemExpectation, PretendAttempt, PretendResult, StepExpectation, TestCase } from './test-case.js';

/** A test file's cases, with the parsed source their positions are read from. */
export interface TestFile {
  source?: SourceDoc;
  cases: TestCase[];
  problems: Problem[];
}

type Raw = Record<string, unknown>;

const text = (value: unknown): string => String(value);
const textMap = (value: unknown): Record<string, string> => Object.fromEntries(Object.entries((value ?? {}) as Raw).map(([k, v]) => [k, text(v)]));
const results = (value: unknown): PretendResult[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? (value as PretendResult[]) : [value as PretendResult]);

function attemptOf(raw: Raw): PretendAttempt {
  return {
    exit: raw.exit as number | undefined,
    stdout: raw.stdout as string | undefined,
    stderr: raw.stderr as string | undefined,
    precheck: results(raw.precheck),
    verify: results(raw.verify),
    when: results(raw.when),
    wait: results(raw.wait),
  };
}

/** A map for every attempt, or a list of maps, one per attempt. */
const attemptsOf = (raw: unknown): PretendAttempt[] => (Array.isArray(raw) ? raw : [raw]).map((a) => attemptOf(a as Raw));

function itemExpectationOf(raw: unknown): ItemExpectation {
  if (typeof raw === 'string') return { status: raw as ItemExpectation['status'] };
  const map = raw as Raw;
  return { status: map.status as ItemExpectation['status'], commands: map.commands as string[] | undefined };
}

function expectationOf(raw: unknown): StepExpectation {
  if (typeof raw === 'string') return { status: raw as StepExpectation['status'] };
  const map = raw as Raw;
  const items = map.items === undefined ? undefined : Object.fromEntries(Object.entries(map.items as Raw).map(([key, v]) => [key, itemExpectationOf(v)]));
  return { status: map.status as StepExpectation['status'], captured: map.captured as Raw | undefined, commands: map.commands as string[] | undefined, ...(items ? { items } : {}) };
}

function caseOf(raw: Raw, source: SourceDoc, index: number): TestCase {
  const steps = (raw.steps ?? {}) as Raw;
  const expect = (raw.expect ?? {}) as Raw;
  return {
    name: raw.name as string,
    file: source.file,
    at: ['tests', index],
    line: positionOf(source, ['tests', index]).line,
    vars: textMap(raw.vars),
    answers: textMap(raw.answers),
    confirm: (raw.confirm as string[] | undefined) ?? [],
    only: raw.only as string[] | undefined,
    skip: raw.skip as string[] | undefined,
    steps: Object.fromEntries(Object.entries(steps).map(([id, v]) => [id, attemptsOf(v)])),
    // `items:` stands only in a step's map (one for every attempt), beside what the step pretends.
    items: Object.fromEntries(
      Object.entries(steps)
        .filter(([, v]) => !Array.isArray(v) && (v as Raw).items !== undefined)
        .map(([id, v]) => [id, Object.fromEntries(Object.entries((v as Raw).items as Raw).map(([key, a]) => [key, attemptsOf(a)]))]),
    ),
    expect: {
      status: expect.status as TestCase['expect']['status'],
      steps: Object.fromEntries(Object.entries((expect.steps ?? {}) as Raw).map(([id, v]) => [id, expectationOf(v)])),
    },
  };
}

/** Parses a runbook test file and checks it against its schema: every problem positioned, cases only when there are none. */
export function readTestCases(file: SourceFile, schema: SchemaCheck): TestFile {
  const parsed = parseSource(file, 'runbook tests: a `tests:` list of cases');
  const { source } = parsed;
  if (!source) return { cases: [], problems: parsed.problems };
  if (parsed.problems.length > 0) return { source, cases: [], problems: parsed.problems };
  const problems = schema(source, parsed.value);
  if (problems.length > 0) return { source, cases: [], problems };
  const raw = (parsed.value as Raw).tests as Raw[];
  return { source, cases: raw.map((c, i) => caseOf(c, source, i)), problems: [] };
}
