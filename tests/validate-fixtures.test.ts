import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lifeboat } from './helpers/cli.js';

/**
 * The broken-runbook corpus: every folder in tests/fixtures/invalid is one case.
 *
 *   NN-short-name/
 *     runbook.yaml   the runbook to validate (absent in the missing-file case)
 *     expected.txt   the exact problem report of `lifeboat validate` (NO_COLOR=1, cwd = the case folder): stdout
 *                    after the verdict line
 *     args           optional: one CLI argument per line; a first line ending in .yaml names the runbook file
 *     steps/         optional: the case's own step library (templates, scripts)
 *     vars.yaml      optional: a vars file named in `args`
 *
 * `--steps <case>/steps` is always passed, even when the folder does not exist (an empty library),
 * so a case never picks up the project's real steps/ folder.
 *
 * To regenerate one expectation after a deliberate message change, from the case folder:
 *   NO_COLOR=1 node ../../../../bin/lifeboat.js validate runbook.yaml [args...] --steps "$PWD/steps" | tail -n +2 > expected.txt
 * and read the diff before committing it.
 */
const CASES_DIR = fileURLToPath(new URL('./fixtures/invalid/', import.meta.url));

interface Case {
  name: string;
  dir: string;
  file: string;
  args: string[];
}

function loadCases(): Case[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name);
      const argsFile = join(dir, 'args');
      const lines = existsSync(argsFile)
        ? readFileSync(argsFile, 'utf8').split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line !== '')
        : [];
      const [first, ...rest] = lines;
      const namesFile = first !== undefined && first.endsWith('.yaml');
      return { name, dir, file: namesFile ? first : 'runbook.yaml', args: namesFile ? rest : lines };
    });
}

const cases = loadCases();

describe('broken runbook corpus (tests/fixtures/invalid)', () => {
  it('has at least 30 cases, each with an expected.txt', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const withoutExpectation = cases.filter((c) => !existsSync(join(c.dir, 'expected.txt'))).map((c) => c.name);
    expect(withoutExpectation).toEqual([]);
  });

  describe.concurrent.each(cases)('$name', (c) => {
    it('exits 2 and prints its verdict, then exactly expected.txt, on stdout, with no stack trace', async ({ expect }) => {
      const expected = readFileSync(join(c.dir, 'expected.txt'), 'utf8');
      const result = await lifeboat(['validate', c.file, ...c.args, '--steps', join(c.dir, 'steps')], { cwd: c.dir });

      expect(result.stdout, 'stack trace').not.toMatch(/^ {4}at /m);
      expect(result.stdout, 'internal error').not.toContain('internal error');
      // One report on one stream: `validate x | less` shows it all.
      expect(result.stderr).toBe('');
      const verdict = result.stdout.split('\n')[0]!;
      expect(verdict).toMatch(/^✖ .+: \d+ problems?$/);
      // execa strips the one final newline of the output; expected.txt keeps it.
      expect(result.stdout.slice(verdict.length + 1)).toBe(expected.replace(/\n$/, ''));
      expect(result.code, `exit code (stderr:\n${result.stderr})`).toBe(2);
    });
  });
});
