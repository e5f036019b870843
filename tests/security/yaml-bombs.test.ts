// YAML built to exhaust: aliases that expand to billions of values, aliases inside themselves,
// and nesting tens of thousands of levels deep. Each is refused by the CLI as invalid YAML with its
// position and exit 2: never a stack trace, never "Maximum call stack size exceeded". `validate`
// goes through the CLI's entry point in this process (tests/helpers/cli-in-process.ts: the same
// parsing, report and exit code, with less stack to spare than a CLI of its own); `run` and `plan`
// are real processes. (How fast is measured in bench/, not here.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { type Workspace, workspace } from '../helpers/run-fixtures.js';

let w: Workspace;
afterEach(() => w?.cleanup());

function write(name: string, text: string): string {
  const file = w.path(name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Billion laughs: `levels` anchors, each a list of nine aliases to the one before. */
function laughs(indent: string, levels = 9, width = 9): string[] {
  const lines = [`${indent}l0: &l0 [${Array(width).fill('lol').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${indent}l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lines;
}

const STEPS = ['phases:', '  - id: p', '    steps:', '      - id: s', '        script: demo/append.mjs'];

/** Validate refuses `args`; returns the problem lines of the report. */
async function refusedAsYaml(args: string[]): Promise<string> {
  const result = await lifeboatInProcess(['validate', ...args], { cwd: w.dir });
  const output = result.stdout + result.stderr;
  expect(result.code, output).toBe(2);
  expect(output).not.toMatch(/Maximum call stack/i);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).toMatch(/invalid YAML/);
  return output;
}

describe('alias bombs', () => {
  const PLACES: Array<[string, () => string, RegExp]> = [
    // Where the bomb sits: an unknown top-level key, the vars, a script's args, a check list.
    ['an unknown top-level key', () => ['name: bomb', 'x:', ...laughs('  '), ...STEPS, '        args: ["1"]', ''].join('\n'), /rb\.yaml:\d+:\d+: invalid YAML: aliases expand/],
    ['the vars', () => ['name: bomb', 'vars:', ...laughs('  '), ...STEPS, ''].join('\n'), /rb\.yaml:\d+:\d+: invalid YAML: aliases expand/],
    ["a script step's args", () => ['name: bomb', 'x:', ...laughs('  '), ...STEPS, '        args: *l8', ''].join('\n'), /rb\.yaml:\d+:\d+: invalid YAML: aliases expand/],
    ['a verify list', () => ['name: bomb', 'x:', ...laughs('  ', 7, 20), ...STEPS, '        verify: *l6', ''].join('\n'), /rb\.yaml:\d+:\d+: invalid YAML: aliases expand/],
    [
      'JSON-style keys without spaces',
      () =>
        [
          'name: bomb',
          `x: {"l0":&l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],${Array.from({ length: 8 }, (_, i) => `"l${i + 1}":&l${i + 1} [${Array(9).fill(`*l${i}`).join(',')}]`).join(',')}}`,
          ...STEPS,
          '',
        ].join('\n'),
      /rb\.yaml:2:\d+: invalid YAML: aliases expand/,
    ],
    [
      'a block-style bomb',
      () =>
        [
          'name: bomb',
          'x:',
          '  a: &a',
          ...Array(10).fill('    - lol'),
          ...Array.from({ length: 8 }, (_, i) => [`  ${'bcdefghi'[i]}: &${'bcdefghi'[i]}`, ...Array(10).fill(`    - *${'abcdefgh'[i]}`)]).flat(),
          ...STEPS,
          '',
        ].join('\n'),
      /rb\.yaml:\d+:\d+: invalid YAML: aliases expand/,
    ],
  ];

  it.each(PLACES)('is refused in %s, at an alias', async (_, text, expected) => {
    w = workspace('lifeboat-bomb-');
    const output = await refusedAsYaml([write('rb.yaml', text()), '--steps', w.steps]);
    expect(output).toMatch(expected);
    expect(output).toMatch(/got: +\*[a-z0-9]+/);
  });

  it('points at the line where the expansion passes the limit', async () => {
    w = workspace('lifeboat-bomb-');
    const output = await refusedAsYaml([write('rb.yaml', ['name: bomb', 'x:', ...laughs('  '), ...STEPS, ''].join('\n')), '--steps', w.steps]);
    // l5 is 9^6 = 531,441 values: its first alias is where 100,000 is passed.
    expect(output).toMatch(/rb\.yaml:8:12: invalid YAML: aliases expand to more than 100,000 values/);
  });

  it('refuses an alias inside the value it names (a cycle), in flow and block style', async () => {
    w = workspace('lifeboat-bomb-');
    for (const cycle of ['        args: &a [x, *a]', '        args: &a\n          - x\n          - *a', '        env: &e { A: *e }']) {
      const output = await refusedAsYaml([write('rb.yaml', ['name: cycle', ...STEPS, cycle, ''].join('\n')), '--steps', w.steps]);
      expect(output).toMatch(/rb\.yaml:\d+:\d+: invalid YAML: an alias refers to the map or list it is part of/);
    }
  });

  it('refuses aliases that nest deeper than the limit without growing much', async () => {
    w = workspace('lifeboat-bomb-');
    const chain = ['x:', '  a0: &a0 [[[[[[[[[[1]]]]]]]]]]'];
    for (let i = 1; i < 12; i++) chain.push(`  a${i}: &a${i} [[[[[[[[[[*a${i - 1}]]]]]]]]]]`);
    const output = await refusedAsYaml([write('rb.yaml', ['name: deep', ...chain, ...STEPS, '        args: *a11', ''].join('\n')), '--steps', w.steps]);
    expect(output).toMatch(/rb\.yaml:\d+:\d+: invalid YAML: aliases nest/);
  });

  it('is refused in a template, a vars file and an inventory too', async () => {
    w = workspace('lifeboat-bomb-');
    write('steps/demo/bomb.yaml', ['x:', ...laughs('  '), 'step:', '  run: "true"', ''].join('\n'));
    write('vars.yaml', ['v: "1"', 'x:', ...laughs('  '), ''].join('\n'));
    write('inv.yaml', ['vars:', ...laughs('  '), ''].join('\n'));
    const rb = write('rb.yaml', ['name: bombs', 'vars: { v: "1" }', 'phases:', '  - id: p', '    steps:', '      - uses: demo/bomb', ''].join('\n'));
    for (const [args, file] of [
      [[], 'bomb.yaml'],
      [['--vars', w.path('vars.yaml')], 'vars.yaml'],
      [['--inventory', w.path('inv.yaml')], 'inv.yaml'],
    ] as const) {
      const output = await refusedAsYaml([rb, '--steps', w.steps, ...args]);
      expect(output).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+: invalid YAML: aliases expand`));
    }
  });

  it('leaves a runbook that reuses values with anchors valid', async () => {
    w = workspace('lifeboat-bomb-');
    const rb = write(
      'rb.yaml',
      [
        'name: fine',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: "true"',
        '        verify: &checks',
        '          - run: "true"',
        '          - path: /tmp',
        '      - id: b',
        '        run: "true"',
        '        verify: *checks',
        '        precheck: *checks',
        '        env: &env { A: "1", B: "2" }',
        '      - id: c',
        '        run: "true"',
        '        env: *env',
        '',
      ].join('\n'),
    );
    const result = await lifeboatInProcess(['validate', rb, '--steps', w.steps], { cwd: w.dir });
    expect(result.code, result.stdout).toBe(0);
  });
});

describe('deep nesting', () => {
  const N = 50_000;
  const PAYLOADS: Array<[string, () => string, string]> = [
    ['nested flow lists', () => `name: deep\nphases: ${'['.repeat(N)}${']'.repeat(N)}\n`, 'rb.yaml:2:'],
    ['nested flow maps', () => `name: deep\nphases: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`, 'rb.yaml:2:'],
    ['unclosed flow lists', () => `name: deep\nphases: ${'['.repeat(N)}\n`, 'rb.yaml:2:'],
    ['flow lists over many lines', () => `name: deep\nphases:\n${Array.from({ length: 5000 }, () => '  [').join('\n')}\n`, 'rb.yaml:'],
    ['block lists on one line', () => `name: deep\nphases:\n${'- '.repeat(N)}x\n`, 'rb.yaml:3:'],
    ['block lists down the page', () => `name: deep\nphases:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`, 'rb.yaml:'],
    ['block maps down the page', () => `name: deep\nphases:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`, 'rb.yaml:'],
    ['flow lists behind a quote in a plain scalar', () => `name: deep\ndescription: it "starts\nphases: ${'['.repeat(N)}${']'.repeat(N)}\n`, 'rb.yaml:'],
    ['flow lists inside a step', () => `name: deep\n${STEPS.join('\n')}\n        args: ${'['.repeat(N)}${']'.repeat(N)}\n`, 'rb.yaml:7:'],
    ['complex keys', () => `name: deep\nphases:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i * 2)}? `).join('\n')}x\n`, 'rb.yaml:'],
  ];

  it.each(PAYLOADS)('refuses %s as invalid YAML with the position', async (_, text, where) => {
    w = workspace('lifeboat-deep-');
    const output = await refusedAsYaml([write('rb.yaml', text()), '--steps', w.steps]);
    expect(output).toContain(where);
    expect(output).toMatch(/rb\.yaml:\d+:\d+: invalid YAML: maps and lists nested more than 64 levels deep/);
  });

  it('refuses deep nesting in a template, a vars file and an inventory too', async () => {
    w = workspace('lifeboat-deep-');
    write('steps/demo/deep.yaml', `step:\n  run: "true"\n  env: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`);
    write('vars.yaml', `v: ${'['.repeat(N)}\n`);
    write('inv.yaml', `hosts:\n${'- '.repeat(N)}\n`);
    const rb = write('rb.yaml', ['name: deep', 'vars: { v: "1" }', 'phases:', '  - id: p', '    steps:', '      - uses: demo/deep', ''].join('\n'));
    for (const [args, where] of [
      [[], 'deep.yaml:3:'],
      [['--vars', w.path('vars.yaml')], 'vars.yaml:1:'],
      [['--inventory', w.path('inv.yaml')], 'inv.yaml:2:'],
    ] as const) {
      const output = await refusedAsYaml([rb, '--steps', w.steps, ...args]);
      expect(output).toContain(where);
    }
  });

  it('run and plan refuse the same way', async () => {
    w = workspace('lifeboat-deep-');
    const rb = write('rb.yaml', `name: deep\nphases: ${'['.repeat(N)}${']'.repeat(N)}\n`);
    for (const command of [
      ['run', rb, '--yes', '--logs', w.logs],
      ['plan', rb],
    ]) {
      const result = await lifeboat([...command, '--steps', w.steps], { cwd: w.dir });
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).not.toMatch(/Maximum call stack|^\s+at /m);
      expect(result.stdout + result.stderr).toMatch(/rb\.yaml:2:\d+/);
    }
  });

  it('leaves brackets, quotes and block scalars that only look deep valid', async () => {
    w = workspace('lifeboat-deep-');
    const rb = write(
      'rb.yaml',
      [
        'name: fine',
        'description: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        `        run: echo ${'[{'.repeat(80)} it's fine`,
        '      - id: b',
        '        run: |',
        ...Array.from({ length: 100 }, (_, i) => `          ${' '.repeat(i)}echo ${i}`),
        '      - id: c',
        `        title: '${'['.repeat(100)}'`,
        '        run: "true"',
        '',
      ].join('\n'),
    );
    const result = await lifeboatInProcess(['validate', rb, '--steps', w.steps], { cwd: w.dir });
    expect(result.code, result.stdout).toBe(0);
  });
});
