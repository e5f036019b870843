import { describe, expect, it } from 'vitest';
import { BindError, bindCaptures } from '../../src/core/capture/bind-captures.js';
import { readCaptures } from '../../src/core/capture/read-captures.js';
import type { Problem } from '../../src/core/model/problem.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { renderShell } from '../../src/core/shell/rendered.js';
import { oneStep, SCHEMAS } from '../helpers/engine-drive.js';

function problemsOf(steps: string, head = ''): Problem[] {
  const text = `name: caps\n${head}phases:\n  - id: p\n    title: P\n    steps:\n${steps}`;
  return buildPlan({ runbook: { path: 'caps.yaml', text }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, SCHEMAS).problems;
}

const shown = (problems: Problem[]) => problems.map((p) => `${p.line}:${p.column} ${p.message} | expected ${p.expected} | got ${p.received}${p.hint ? ` | hint ${p.hint}` : ''}`);

describe('validate: references to captured values', () => {
  it('a reference to a step that captures nothing, or to a name it does not capture, is reported where it is written', () => {
    const problems = problemsOf(`      - id: list
        run: ls
        capture:
          names: { lines: true }
      - id: use
        run: echo {{ steps.lst.names }} {{ steps.list.nmes }}
`);
    expect(shown(problems)).toEqual([
      '11:19 no step `lst` captures anything | expected a step with `capture:` or `ask:`: list | got {{ steps.lst.names }} | hint did you mean `list`?',
      '11:41 step `list` captures no `nmes` | expected one of its captures: names | got {{ steps.list.nmes }} | hint did you mean `names`?',
    ]);
  });

  it('a value captured by a step that comes later in restore order is reported, with the two positions and a hint', () => {
    const problems = problemsOf(`      - id: use
        run: echo {{ steps.list.names }}
      - id: list
        run: ls
        capture:
          names: { lines: true }
`);
    expect(shown(problems)).toEqual([
      "7:22 `steps.list.names` is captured by step 1.2 (`list`), which comes after this step (1.1) in restore order | expected a value captured by an earlier step in restore order | got steps.list.names | hint add `list` to this step's `needs:`, or put its phase first",
    ]);
    // With `needs`, the order puts it first: valid.
    expect(
      problemsOf(`      - id: use
        needs: [list]
        run: echo {{ steps.list.names }}
      - id: list
        run: ls
        capture:
          names: { lines: true }
`),
    ).toEqual([]);
  });

  it('a step cannot use its own capture; captures need a command; ask-only keys need ask; bad patterns and defaults are reported', () => {
    const problems = problemsOf(`      - id: self
        run: echo {{ steps.self.v }}
        capture:
          v: { stdout: true }
      - id: by-hand
        manual: Look at it
        capture:
          v: { stdout: true }
      - id: stray
        run: "true"
        choices: [a, b]
      - id: bad
        run: ls
        capture:
          v: { regex: 'vzdump-(' }
      - id: pick
        ask: Which?
        choices: [a, b]
        default: c
`);
    expect(shown(problems).map((p) => p.split(' | ')[0])).toEqual([
      '7:22 step `self` uses a value it captures itself: it is known only after the step ran',
      "12:9 `capture` reads a command's output, and a manual step runs none",
      '16:9 `choices` only goes with `ask`',
      '20:23 invalid regular expression: /vzdump-(/: Unterminated group',
      '24:18 the default answer is not one the question takes: "c" is not one of a, b',
    ]);
  });

  it('a value condition needs exactly one test; a capture may not be given two ways to read', () => {
    const problems = problemsOf(
      `      - id: list
        run: ls
        capture:
          v: { stdout: true, json: true }
      - id: maybe
        run: "true"
        when:
          - value: "{{ vars.x }}"
            equals: a
            in: [a]
`,
      'vars:\n  x: a\n',
    );
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '11:14 capture `v` reads the output more than one way: json, stdout',
      '15:13 a value condition has more than one test: equals, in',
    ]);
  });
});

describe('reading captures', () => {
  const spec = (read: 'json' | 'lines' | 'stdout' | 'regex', pattern?: string) => [{ name: 'v', read, pattern, secret: false }];
  it('json, lines, stdout and regex (first group, else the whole match)', () => {
    expect(readCaptures(spec('json'), '{"a":[1,2]}\n')).toEqual({ values: { v: { a: [1, 2] } } });
    expect(readCaptures(spec('lines'), 'a\n\n b \r\nc')).toEqual({ values: { v: ['a', ' b ', 'c'] } });
    expect(readCaptures(spec('stdout'), '  out  \n')).toEqual({ values: { v: 'out' } });
    expect(readCaptures(spec('regex', 'qemu-(\\d+)'), 'x vzdump-qemu-101.vma\nvzdump-qemu-102')).toEqual({ values: { v: '101' } });
    expect(readCaptures(spec('regex', '^pve\\d$'), 'nas\npve2\n')).toEqual({ values: { v: 'pve2' } });
    expect(readCaptures(spec('regex', 'x(\\d)?'), 'x')).toEqual({ values: { v: '' } });
  });
});

describe('binding captured values', () => {
  const step = (command: string) =>
    oneStep(`      - id: list\n        run: ls\n        capture:\n          v: { stdout: true }\n      - id: use\n        run: ${JSON.stringify(command)}\n`).phases[0]!.steps[1]!;
  const scope = (v: string) => ({ captures: { list: { v } }, secret: new Set<string>() });
  const script = (command: string, v: string) => {
    const { action } = bindCaptures(step(command), scope(v)).bound;
    return renderShell(action.kind === 'run' ? action.command : []).script;
  };
  const HOSTILE = ['$(touch /tmp/x)', '`touch /tmp/x`', "'; touch /tmp/x; '", '"; touch /tmp/x; "', 'a b\nc', '\\', '$HOME'];

  it.each(HOSTILE)('the value %j is quoted for each place it stands', (v) => {
    expect(script('echo {{ steps.list.v }}', v)).toBe(`echo ${v === '$HOME' || v.includes("'") || /[\s`$\\;"]/.test(v) ? `'${v.replace(/'/g, "'\\''")}'` : v}`);
    expect(script("echo '{{ steps.list.v }}'", v)).toBe(`echo '${v.replace(/'/g, "'\\''")}'`);
    expect(script('echo "{{ steps.list.v }}"', v)).toBe(`echo "${v.replace(/[\\"$`]/g, '\\$&')}"`);
  });

  it('where no escaping is safe, the value is refused: arithmetic, a line break in a comment or a here-document', () => {
    expect(() => script('echo $(( {{ steps.list.v }} + 1 ))', 'a[$(touch /tmp/x)]')).toThrow(BindError);
    expect(() => script('n={{ steps.list.v }}; echo $(( n ))', '1+1')).toThrow(/reaches|arithmetic/);
    expect(() => script('true # {{ steps.list.v }}', 'a\ntouch /tmp/x')).toThrow(/comment/);
    expect(() => script('cat <<EOF\n{{ steps.list.v }}\nEOF', 'EOF')).toThrow(/delimiter/);
    expect(script('echo $(( {{ steps.list.v }} + 1 ))', '-12')).toBe('echo $(( -12 + 1 ))');
  });
});
