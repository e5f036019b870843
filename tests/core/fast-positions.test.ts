// Positions found without the position-keeping parse must be the ones it finds: every value, key
// and reference of every YAML file of the project is pointed at both ways and compared.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource, positionInValue, positionOf, type SourceDoc } from '../../src/core/parse/source-doc.js';
import type { YamlPath } from '../../src/core/parse/yaml-path.js';
import { ROOT } from '../helpers/cli.js';

const FILES = execSync("git ls-files '*.yaml' '*.yml'", { cwd: ROOT }).toString().trim().split('\n');

/** The same source without its fast positions: every answer from the full parse. */
function slowOf(src: SourceDoc): SourceDoc {
  return {
    file: src.file,
    text: src.text,
    get doc() {
      return src.doc;
    },
    get lines() {
      return src.lines;
    },
  };
}

function pathsOf(value: unknown, path: YamlPath = [], out: YamlPath[] = []): YamlPath[] {
  out.push(path);
  if (Array.isArray(value))
    value.forEach((v, i) => {
      pathsOf(v, [...path, i], out);
    });
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

function at(value: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((v, p) => (v as Record<string | number, unknown> | undefined)?.[p], value);
}

describe('fast positions', () => {
  it('answer for most values of the project files, and always as the full parse does', () => {
    let asked = 0;
    let answered = 0;
    const differ: string[] = [];
    for (const file of FILES) {
      const parsed = parseSource({ path: file, text: readFileSync(join(ROOT, file), 'utf8') });
      const src = parsed.source;
      if (!src?.fast) continue;
      const slow = slowOf(src);
      const paths = [...pathsOf(parsed.value), ['nope'], ['phases', 0, 'nope'], ['phases', 0, 'steps', 0, 'nope'], ['name', 'nope']];
      for (const path of paths) {
        for (const key of [false, true]) {
          asked++;
          if (src.fast.valueOffset(path, key) !== undefined) answered++;
          const fast = positionOf(src, path, key);
          const full = positionOf(slow, path, key);
          if (fast.line !== full.line || fast.column !== full.column) differ.push(`${file} ${JSON.stringify(path)} key=${key}: ${fast.line}:${fast.column}, full ${full.line}:${full.column}`);
        }
        const value = at(parsed.value, path);
        if (typeof value !== 'string' || value.length < 2) continue;
        for (const needle of [value.slice(0, 2), value.slice(-2), '{{', ' ']) {
          const fast = positionInValue(src, path, needle, 1);
          const full = positionInValue(slow, path, needle, 1);
          if (fast.line !== full.line || fast.column !== full.column)
            differ.push(`${file} ${JSON.stringify(path)} ${JSON.stringify(needle)}: ${fast.line}:${fast.column}, full ${full.line}:${full.column}`);
        }
      }
    }
    expect(differ).toEqual([]);
    expect(answered / asked).toBeGreaterThan(0.5);
  });

  it('are not used where a value is shared by an alias', () => {
    const parsed = parseSource({ path: 'a.yaml', text: 'x: &x { a: 1 }\ny: *x\n' });
    expect(parsed.source?.fast).toBeUndefined();
    expect(positionOf(parsed.source!, ['y', 'a'])).toMatchObject({ line: 2, column: 4 });
  });
});

describe('fast positions on unusual layouts', () => {
  const TEXTS = [
    '%YAML 1.2\n---\nname: x\nphases:\n  - id: p\n',
    '\uFEFFname: x\r\nphases:\r\n  - id: p\r\n    steps:\r\n      - id: s\r\n        run: "a {{ b }}"\r\n',
    '# top\nname: x # c\nphases:\n# between\n  -\n    id: p\n    steps: [ { id: s, run: x } ]\n',
    'name: "x"\n"phases":\n- id: p\n  steps:\n  - id: s\n    run: |\n      echo {{ x }}\n    timeout: 5s\n',
    "name: 'it''s'\nphases:\n  - id: p\n    title: \"multi\n      line\"\n    steps:\n      - { id: s }\n",
  ];
  it.each(TEXTS.map((t, i) => [i, t] as const))('text %i: the same as the full parse', (_, text) => {
    const parsed = parseSource({ path: 'a.yaml', text });
    const src = parsed.source!;
    const slow = slowOf(src);
    for (const path of [...pathsOf(parsed.value), ['nope'], ['phases', 0, 'nope']]) {
      for (const key of [false, true]) expect(positionOf(src, path, key), `${JSON.stringify(path)} ${key}`).toEqual(positionOf(slow, path, key));
      const value = at(parsed.value, path);
      if (typeof value === 'string')
        for (const needle of ['{{', 'x', 'line']) expect(positionInValue(src, path, needle), `${JSON.stringify(path)} ${needle}`).toEqual(positionInValue(slow, path, needle));
    }
  });
});
