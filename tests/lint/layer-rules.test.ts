// The layer rules of .dependency-cruiser.cjs, tried on small trees written for each case: a rule
// that never fires would let the layers rot unseen, so each one is shown failing on the fault it names.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise as depcruise, type IFlattenedRuleSet } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// The project's own configuration, as `npm run lint` reads it (a CommonJS file).
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: IFlattenedRuleSet['forbidden']; options: Record<string, unknown> };
// The trees are small and relative: the project's tsconfig is not theirs.
const { tsConfig: _projectTsConfig, ...options } = config.options;
const trees: string[] = [];
afterEach(() => {
  for (const dir of trees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A tree of TypeScript files (path -> text), checked with the project's rules: the rules it breaks, as `rule from -> to`. */
async function cruise(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-layers-'));
  trees.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const result = await depcruise(['src'], { ...options, validate: true, ruleSet: { forbidden: config.forbidden }, baseDir: dir });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return result.output.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`);
}

const CLEAN = {
  'src/core/model/thing.ts': 'export interface Thing { id: string }\n',
  'src/core/plan/make.ts': "import type { Thing } from '../model/thing.js';\nexport const make = (id: string): Thing => ({ id });\n",
  'src/ports/store.ts': "import type { Thing } from '../core/model/thing.js';\nexport interface Store { put(t: Thing): void }\n",
  'src/adapters/file-store.ts':
    "import { writeFileSync } from 'node:fs';\nimport type { Store } from '../ports/store.js';\nexport const fileStore: Store = { put: (t) => writeFileSync('x', t.id) };\n",
  'src/engine/run.ts': "import { make } from '../core/plan/make.js';\nimport type { Store } from '../ports/store.js';\nexport const run = (s: Store) => s.put(make('a'));\n",
  'src/cli/main.ts': "import { fileStore } from '../adapters/file-store.js';\nimport { run } from '../engine/run.js';\nrun(fileStore);\n",
};

describe('npm run lint: the layer rules', () => {
  it('pass a tree that keeps the layers', async () => {
    expect(await cruise(CLEAN)).toEqual([]);
  });

  it.each([
    ['core imports fs', 'core-is-pure', { 'src/core/plan/read.ts': "import { readFileSync } from 'node:fs';\nexport const read = () => readFileSync('x', 'utf8');\n" }],
    ['core imports a bare built-in', 'core-is-pure', { 'src/core/plan/spawn.ts': "import { spawn } from 'child_process';\nexport const go = () => spawn('true');\n" }],
    ['core imports an adapter', 'core-imports-core', { 'src/core/plan/uses.ts': "import { fileStore } from '../../adapters/file-store.js';\nexport const s = fileStore;\n" }],
    ['a port imports an adapter', 'ports-import-core-types', { 'src/ports/leaky.ts': "import { fileStore } from '../adapters/file-store.js';\nexport const s = fileStore;\n" }],
    ['an adapter imports a command', 'adapters-below-engine-and-cli', { 'src/adapters/up.ts': "import '../cli/main.js';\n" }],
    ['the engine imports a command', 'engine-below-cli', { 'src/engine/up.ts': "import '../cli/main.js';\n" }],
    [
      'two modules need each other',
      'no-cycles',
      { 'src/core/plan/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n", 'src/core/plan/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n" },
    ],
    ['two folders need each other', 'no-folder-cycles', { 'src/core/model/back.ts': "import { make } from '../plan/make.js';\nexport const back = make;\n" }],
  ])('fail when %s (%s)', async (_, rule, extra) => {
    const broken = await cruise({ ...CLEAN, ...extra });
    expect(broken.map((v) => v.split(' ')[0])).toContain(rule);
    // Each fault is named where it is: in one of the files added to the clean tree.
    const from = broken.filter((v) => v.startsWith(`${rule} `)).map((v) => v.split(' ')[1]);
    expect(from.some((f) => Object.keys(extra).some((path) => path === f || path.startsWith(`${f}/`)))).toBe(true);
  });
});
