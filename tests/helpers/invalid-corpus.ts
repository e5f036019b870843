import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export const CASES_DIR = fileURLToPath(new URL('../fixtures/invalid/', import.meta.url));

export interface InvalidCase {
  name: string;
  dir: string;
  /** The runbook file, relative to `dir`. */
  file: string;
  /** CLI arguments after the file (`--steps` not included). */
  args: string[];
}

/** Every case of the corpus, in name order. */
export function loadInvalidCases(): InvalidCase[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name);
      const argsFile = join(dir, 'args');
      const lines = existsSync(argsFile)
        ? readFileSync(argsFile, 'utf8')
            .split('\n')
            .map((line) => line.replace(/\r$/, ''))
            .filter((line) => line !== '')
        : [];
      const [first, ...rest] = lines;
      const named = first?.endsWith('.yaml') ? first : undefined;
      return { name, dir, file: named ?? 'runbook.yaml', args: named !== undefined ? rest : lines };
    });
}

/** The report a case expects after the verdict line. */
export function expectedReport(c: InvalidCase): string {
  return readFileSync(join(c.dir, 'expected.txt'), 'utf8');
}

/** Cases that also run as real processes: plain YAML, CLI args, a missing file, and a template library. */
export const PROCESS_CASES = ['01-yaml-bad-indent', '29-uses-unknown-template', '44-cli-var-unknown', '47-missing-file'];
