import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { UsageError } from '../core/model/problem.js';

const isYaml = (name: string) => /\.ya?ml$/.test(name);

function filesOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter(isYaml)
    .sort()
    .map((name) => join(path, name));
}

/**
 * The test files of a runbook: `--tests PATH` (a file or a folder of them), else NAME.tests.yaml
 * beside NAME.yaml, else the YAML files of the folder NAME.tests/.
 */
export function findTestFiles(runbook: string, given?: string): string[] {
  const stem = join(dirname(runbook), basename(runbook, extname(runbook)));
  const candidates = given !== undefined ? [given] : [`${stem}.tests.yaml`, `${stem}.tests.yml`, `${stem}.tests`];
  const found = candidates.find((path) => existsSync(path));
  const files = found === undefined ? [] : filesOf(found);
  if (files.length === 0) {
    throw new UsageError(given !== undefined ? `--tests ${given}: no test file there` : `no tests for ${runbook}`, {
      expected: given !== undefined ? 'a test file, or a folder holding .yaml test files' : `${stem}.tests.yaml, or a folder ${stem}.tests/ of .yaml files`,
      received: found ?? 'nothing there',
      hint: 'give one with --tests PATH; the format is in docs/runbook-format.md, "Testing a runbook"',
    });
  }
  return files;
}
