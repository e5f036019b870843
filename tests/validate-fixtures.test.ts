import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlanOptions } from '../src/cli/plan-options.js';
import { validateCommand } from '../src/cli/validate.js';
import { expectedReport, type InvalidCase, loadInvalidCases, PROCESS_CASES } from './helpers/invalid-corpus.js';

// The broken-runbook corpus (tests/fixtures/invalid, described in tests/helpers/invalid-corpus.ts), in-process:
// each case goes through the validate command's own function, the code the CLI calls, with stdout
// captured and the case folder as the working directory. tests/cli/validate-corpus-cli.test.ts runs a
// few of the cases as real processes for what only a process shows (exit code, streams, stack traces).

/** The options commander would give validate for a case's args (the corpus uses only --var and --vars). */
function optionsOf(c: InvalidCase): PlanOptions {
  const options: PlanOptions = { steps: join(c.dir, 'steps') };
  for (let i = 0; i < c.args.length; i += 2) {
    const [flag, value] = [c.args[i], c.args[i + 1]];
    if (value === undefined) throw new Error(`${c.name}/args: ${flag} has no value`);
    if (flag === '--var') options.var = [...(options.var ?? []), value];
    else if (flag === '--vars') options.vars = value;
    else throw new Error(`${c.name}/args: ${flag} is not understood by this test; teach optionsOf() about it`);
  }
  return options;
}

const cases = loadInvalidCases();

describe('broken runbook corpus (tests/fixtures/invalid)', () => {
  it('has at least 30 cases, each with an expected.txt', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const withoutExpectation = cases.filter((c) => !existsSync(join(c.dir, 'expected.txt'))).map((c) => c.name);
    expect(withoutExpectation).toEqual([]);
  });

  it('the cases also run as processes exist', () => {
    expect(PROCESS_CASES.filter((name) => !cases.some((c) => c.name === name))).toEqual([]);
  });

  describe('through the validate command, in-process', () => {
    const home = process.cwd();
    let written = '';
    beforeEach(() => {
      written = '';
      vi.stubEnv('NO_COLOR', '1');
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        return true;
      });
    });
    afterEach(() => {
      process.chdir(home);
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
    });

    // One at a time on purpose: each case changes the working directory and captures stdout.
    it.each(cases)('$name: its verdict, then exactly expected.txt, and exit code 2', async (c) => {
      const expected = expectedReport(c);
      process.chdir(c.dir);
      const code = await validateCommand([c.file], optionsOf(c));
      const verdict = written.split('\n')[0]!;
      expect(verdict).toMatch(/^✖ .+: \d+ problems?$/);
      expect(written.slice(verdict.length + 1)).toBe(expected);
      expect(code).toBe(2);
    });
  });
});
