import { join } from 'node:path';
import { describe, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { expectedReport, loadInvalidCases, PROCESS_CASES } from '../helpers/invalid-corpus.js';

// A few cases of the broken-runbook corpus through the real binary: what only a process shows
// (exit code, stdout/stderr split, no stack trace). tests/validate-fixtures.test.ts runs every case in-process.
const cases = loadInvalidCases().filter((c) => PROCESS_CASES.includes(c.name));

describe.concurrent.each(cases)('lifeboat validate, broken runbook $name', (c) => {
  it('exits 2 and prints its verdict, then exactly expected.txt, on stdout, with no stack trace', async ({ expect }) => {
    const expected = expectedReport(c);
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
