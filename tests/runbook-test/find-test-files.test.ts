import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTestFiles } from '../../src/adapters/find-test-files.js';
import { UsageError } from '../../src/core/model/problem.js';

// Where a runbook's tests are: given, beside it, or in a folder named after it.

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-find-tests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findTestFiles', () => {
  it('finds NAME.tests.yaml beside NAME.yaml before a NAME.tests/ folder', () => {
    writeFileSync(join(dir, 'a.tests.yaml'), 'tests: []\n');
    mkdirSync(join(dir, 'a.tests'));
    expect(findTestFiles(join(dir, 'a.yaml'))).toEqual([join(dir, 'a.tests.yaml')]);
  });

  it('reads the YAML files of NAME.tests/ in name order, nothing else there', () => {
    mkdirSync(join(dir, 'b.tests'));
    for (const name of ['2.yaml', '1.yml', 'notes.md']) writeFileSync(join(dir, 'b.tests', name), 'tests: []\n');
    expect(findTestFiles(join(dir, 'b.yaml'))).toEqual([join(dir, 'b.tests', '1.yml'), join(dir, 'b.tests', '2.yaml')]);
  });

  it('--tests wins; none anywhere, or an empty folder, is a usage error saying where they go', () => {
    expect(findTestFiles(join(dir, 'a.yaml'), join(dir, 'b.tests', '2.yaml'))).toEqual([join(dir, 'b.tests', '2.yaml')]);
    expect(() => findTestFiles(join(dir, 'c.yaml'))).toThrow(UsageError);
    expect(() => findTestFiles(join(dir, 'c.yaml'))).toThrow(/no tests for/);
    expect(() => findTestFiles(join(dir, 'a.yaml'), join(dir, 'a.tests'))).toThrow(/no test file there/);
  });
});
