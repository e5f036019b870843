import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** One script to run in a sandbox folder of its own, with its own extra environment. */
export interface BatchCase {
  script: string;
  env?: Record<string, string>;
}

/** What a script did: its exit code, its output, and the files left in its sandbox (sorted). */
export interface SandboxResult {
  code: number;
  stdout: string;
  stderr: string;
  files: string[];
}

/** Single-quotes a word for bash, independently of the quoting under test. */
const sq = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Runs many scripts with one bash process: starting bash once per case dominated the quoting tests.
 * Each case is sourced in a subshell of its own (a crash, `exit` or syntax error ends only that case),
 * in its own folder holding `sentinels`, with stdin empty and HOME pointing nowhere. The cases' output
 * comes back on stdout framed by lines carrying a random marker no value can contain.
 */
export async function runBatch(cases: readonly BatchCase[], sentinels: readonly string[] = []): Promise<SandboxResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-batch-'));
  const marker = `@@batch-${randomBytes(12).toString('hex')}`;
  try {
    const lines = ['R=$1', `M=${marker}`];
    cases.forEach((c, i) => {
      const dir = join(root, 'case', String(i));
      mkdirSync(dir, { recursive: true });
      for (const name of sentinels) writeFileSync(join(dir, name), '');
      writeFileSync(join(root, `${i}.sh`), c.script);
      const exports = Object.entries(c.env ?? {})
        .map(([name, value]) => `export ${name}=${sq(value)}; `)
        .join('');
      lines.push(
        `printf '%s\\n' "$M ${i} out"`,
        `( cd -- "$R/case/${i}" && ${exports}. "$R/${i}.sh" ) 2>"$R/${i}.err" </dev/null`,
        `printf '\\n%s\\n' "$M ${i} err $?"`,
        `e=; IFS= read -r -d '' e <"$R/${i}.err"; printf '%s' "$e"`,
        `printf '\\n%s\\n' "$M ${i} end"`,
      );
    });
    writeFileSync(join(root, 'batch.sh'), `${lines.join('\n')}\n`);
    const result = await execa('bash', [join(root, 'batch.sh'), root], {
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
      env: { HOME: '/nonexistent-home' },
    });
    if (result.exitCode !== 0) throw new Error(`the batch script failed (exit ${result.exitCode}): ${result.stderr}`);
    return parseBatch(result.stdout, marker, cases.length).map((r, i) => ({ ...r, files: readdirSync(join(root, 'case', String(i))).sort() }));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Splits the framed output of a batch back into each case's exit code, stdout and stderr. */
function parseBatch(out: string, marker: string, count: number): Omit<SandboxResult, 'files'>[] {
  const results: Omit<SandboxResult, 'files'>[] = [];
  let at = 0;
  const take = (pattern: RegExp, what: string): RegExpExecArray => {
    pattern.lastIndex = at;
    const match = pattern.exec(out);
    if (!match) throw new Error(`batch output: no ${what} after offset ${at}`);
    return match;
  };
  for (let i = 0; i < count; i++) {
    const open = take(new RegExp(`${marker} ${i} out\\n`, 'g'), `start of case ${i}`);
    at = open.index + open[0].length;
    const err = take(new RegExp(`\\n${marker} ${i} err (\\d+)\\n`, 'g'), `exit code of case ${i}`);
    const stdout = out.slice(at, err.index);
    at = err.index + err[0].length;
    const end = take(new RegExp(`\\n${marker} ${i} end\\n`, 'g'), `end of case ${i}`);
    results.push({ code: Number(err[1]), stdout, stderr: out.slice(at, end.index) });
    at = end.index + end[0].length;
  }
  return results;
}
