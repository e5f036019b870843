import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { buildPlan, type PlanInput } from '../../src/core/plan/build-plan.js';
import { hasReferences, interpolate, type Scope, type TextKind } from '../../src/core/resolve/interpolate.js';
import { displayText, escapeValue, type Piece, type Rendered, renderShell, renderText, secretEnvFor, secretEnvName, secretMask } from '../../src/core/shell/rendered.js';
import { shellQuote } from '../../src/core/shell/shell-quote.js';
import { planView } from '../../src/core/views/plan-view.js';
import { type BatchCase, runBatch, type SandboxResult } from '../helpers/bash-batch.js';

const SCHEMAS = loadSchemaChecks();

const text = (value: string): Piece[] => [{ text: value }];

function scope(overrides: Partial<Scope> = {}): Scope {
  return {
    vars: new Map([
      ['pool', text('tank')],
      ['dir', text('/mnt/backup')],
    ]),
    secrets: new Set(['token', 'db_password']),
    hosts: new Map([
      ['nas', { name: 'nas', ssh: 'root@10.0.0.2', user: 'root', address: '10.0.0.2', port: '2222' }],
      ['pve', { name: 'pve', ssh: 'pve.lan', user: '', address: 'pve.lan', port: '22' }],
    ]),
    ...overrides,
  };
}

/** Interpolates and insists there were no errors. */
function ok(template: string, s: Scope, kind: TextKind): Rendered {
  const { rendered, errors } = interpolate(template, s, kind);
  expect(errors).toEqual([]);
  return rendered;
}

const noSecrets = (name: string): string => {
  throw new Error(`no secret expected, asked for ${name}`);
};

/** Values that would run a command, split into words, or expand, if pasted into bash unquoted. */
const HOSTILE = [
  'x; touch PWNED',
  'x && touch PWNED || touch PWNED',
  '$(touch PWNED)',
  '`touch PWNED`',
  "it's; touch PWNED",
  "'; touch PWNED; echo '",
  '"; touch PWNED; echo "',
  'a | tee PWNED',
  '> PWNED',
  '$HOME ${HOME} $((6*7)) $0',
  '* ? [a-z]',
  '{a,b}',
  '~root',
  'a b   c\td',
  'line one\nline two; touch PWNED',
  '\\; touch PWNED \\',
  '#not a comment',
  '!! !$',
  'zpool → ok ✓',
  '',
  "''",
  '-n',
  // Quotes of both kinds, and the ways out of each kind of quoting.
  "'; touch PWNED; '",
  '"; touch PWNED; "',
  `'"; touch PWNED; "'`,
  "'\\''; touch PWNED; '\\''",
  '\\"; touch PWNED; \\"',
  '""',
  // Backslashes: alone, trailing (a line continuation if unescaped), before $ and `.
  '\\',
  'trailing\\',
  '\\$(touch PWNED)',
  '\\`touch PWNED\\`',
  '${IFS}touch${IFS}PWNED',
  "$'touch PWNED'",
  '%s %d %%',
  // Here-document delimiters inside a line, and (multi-line) as a line of their own.
  'EOF',
  'x EOF y',
  'a\nEOF\ntouch PWNED',
  'ends with a newline\n',
];

describe('interpolate: what references resolve to', () => {
  it('leaves text without references as one raw segment', () => {
    expect(hasReferences('zpool import tank')).toBe(false);
    expect(interpolate('zpool import tank', scope(), 'shell')).toEqual({ rendered: [{ raw: 'zpool import tank' }], errors: [] });
  });

  it('resolves vars, with or without spaces inside the braces', () => {
    const r = ok('zpool import {{ vars.pool }} && ls {{vars.dir}} {{   vars.pool   }}', scope(), 'shell');
    expect(renderText(r, noSecrets)).toBe('zpool import tank && ls /mnt/backup tank');
    expect(r).toEqual([
      { raw: 'zpool import ' },
      { value: text('tank'), quote: 'word' },
      { raw: ' && ls ' },
      { value: text('/mnt/backup'), quote: 'word' },
      { raw: ' ' },
      { value: text('tank'), quote: 'word' },
    ]);
  });

  it('resolves every host field; port defaults are whatever the scope holds', () => {
    const r = ok('{{ hosts.nas.name }} {{ hosts.nas.ssh }} {{ hosts.nas.user }} {{ hosts.nas.address }} {{ hosts.nas.port }}', scope(), 'plain');
    expect(renderText(r, noSecrets)).toBe('nas root@10.0.0.2 root 10.0.0.2 2222');
    // An empty field is still one (empty) word in shell text.
    expect(renderText(ok('ssh -l {{ hosts.pve.user }} x', scope(), 'shell'), noSecrets)).toBe("ssh -l '' x");
  });

  it('resolves params only where the scope has them (inside a template)', () => {
    const inTemplate = scope({ params: new Map([['pool', text('rpool')]]) });
    expect(renderText(ok('zpool import {{ params.pool }}', inTemplate, 'shell'), noSecrets)).toBe('zpool import rpool');

    const outside = interpolate('zpool import {{ params.pool }}', scope(), 'shell');
    expect(outside.errors).toHaveLength(1);
    expect(outside.errors[0]).toMatchObject({
      reference: '{{ params.pool }}',
      index: 13,
      message: '`params` can only be used inside a step template',
    });
    // An unresolved reference is kept as written, so nothing silently becomes empty.
    expect(displayText(outside.rendered)).toBe('zpool import {{ params.pool }}');
  });

  it('a param may be built from several pieces (text and secrets) and is still one value', () => {
    const s = scope({ params: new Map<string, Piece[]>([['auth', [{ text: 'Bearer ' }, { secret: 'token' }]]]) });
    const r = ok('curl -H {{ params.auth }} http://x', s, 'shell');
    expect(displayText(r)).toBe("curl -H 'Bearer [secret:token]' http://x");
    expect(renderText(r, () => 's3cr3t value')).toBe("curl -H 'Bearer s3cr3t value' http://x");
    expect(renderShell(r).secrets).toEqual(['token']);
  });

  it('does not interpolate a value a second time (a var holding {{ secrets.x }} stays literal text)', () => {
    const s = scope({ vars: new Map([['v', text('{{ secrets.token }}')]]) });
    const r = ok('echo {{ vars.v }}', s, 'shell');
    expect(renderShell(r).secrets).toEqual([]);
    expect(renderText(r, noSecrets)).toBe("echo '{{ secrets.token }}'");
  });

  it('only quotes in shell text: titles and other prose get the value as it is', () => {
    const s = scope({ vars: new Map([['v', text("it's a b")]]) });
    expect(renderText(ok('Restore {{ vars.v }}', s, 'plain'), noSecrets)).toBe("Restore it's a b");
    expect(renderText(ok('echo {{ vars.v }}', s, 'shell'), noSecrets)).toBe("echo 'it'\\''s a b'");
  });
});

describe('interpolate: secrets', () => {
  it('are masked as [secret:NAME] in display and revealed only by renderText with a resolver', () => {
    const r = ok('mysql -p{{ secrets.db_password }} --token={{ secrets.token }}', scope(), 'shell');
    expect(renderShell(r).secrets).toEqual(['db_password', 'token']);
    const shown = displayText(r);
    expect(shown).toContain(secretMask('db_password'));
    expect(shown).toContain('[secret:token]');
    expect(shown).not.toContain('hunter2');

    const asked: string[] = [];
    const real = renderText(r, (name) => {
      asked.push(name);
      return name === 'token' ? 'tok en' : 'hunter2';
    });
    expect(real).toBe("mysql -phunter2 --token='tok en'");
    expect(asked).toEqual(['db_password', 'token']);
  });

  it('are masked in prose too', () => {
    const r = ok('Log in with {{ secrets.token }}', scope(), 'plain');
    expect(displayText(r)).toBe('Log in with [secret:token]');
    expect(renderText(r, () => 'abc')).toBe('Log in with abc');
  });

  it('stay unresolved in the rendered structure: the value is nowhere in it', () => {
    const r = ok('echo {{ secrets.token }}', scope(), 'shell');
    expect(JSON.stringify(r)).toBe('[{"raw":"echo "},{"value":[{"secret":"token"}],"quote":"word"}]');
  });

  it('renderShell: a secret becomes a reference to its environment variable, quoted for its place', () => {
    const r = ok(`a {{ secrets.token }} '{{ secrets.token }}' "{{ secrets.db_password }}"\ncat <<EOF\n{{ secrets.token }}\nEOF`, scope(), 'shell');
    const { script, secrets } = renderShell(r);
    expect(script).toBe('a "${LIFEBOAT_SECRET_token}" \'\'"${LIFEBOAT_SECRET_token}"\'\' "${LIFEBOAT_SECRET_db__password}"\ncat <<EOF\n${LIFEBOAT_SECRET_token}\nEOF');
    // Each secret once, in order of first use; the script holds no value.
    expect(secrets).toEqual(['token', 'db_password']);
    // Text pieces glued to a secret are escaped; the value stays one word.
    const s = scope({ params: new Map<string, Piece[]>([['auth', [{ text: "it's " }, { secret: 'token' }, { text: ' x' }]]]) });
    expect(renderShell(ok('curl -H {{ params.auth }}', s, 'shell')).script).toBe(`curl -H 'it'\\''s '"\${LIFEBOAT_SECRET_token}"' x'`);
  });

  it('secretEnvName encodes names one-to-one: `_` as `__`, `-` as `_0`', () => {
    expect(secretEnvName('token')).toBe('LIFEBOAT_SECRET_token');
    expect(secretEnvName('db_password')).toBe('LIFEBOAT_SECRET_db__password');
    expect(secretEnvName('db-password')).toBe('LIFEBOAT_SECRET_db_0password');
    // Names that a naive encoding (`-` as `_`) would merge stay apart.
    const names = ['a-b', 'a_b', 'a__b', 'a_0b', 'a-0b', 'a--b', 'a_-b', 'a-_b', 'ab'];
    const encoded = names.map(secretEnvName);
    expect(new Set(encoded).size).toBe(names.length);
    for (const name of encoded) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('secretEnvFor builds the environment of exactly the named secrets (an unknown one is empty)', () => {
    const values = new Map([
      ['token', 'T'],
      ['db_password', 'P'],
      ['unused', 'U'],
    ]);
    expect(secretEnvFor(values, ['token', 'db_password', 'missing'])).toEqual({
      LIFEBOAT_SECRET_token: 'T',
      LIFEBOAT_SECRET_db__password: 'P',
      LIFEBOAT_SECRET_missing: '',
    });
  });
});

describe('interpolate: errors for names that do not exist', () => {
  const errorOf = (template: string, s: Scope = scope()) => {
    const { errors } = interpolate(template, s, 'shell');
    expect(errors).toHaveLength(1);
    return errors[0]!;
  };

  it('an undefined var, with a did-you-mean hint and the offset of the reference', () => {
    const e = errorOf('zpool import {{ vars.pol }}');
    expect(e).toMatchObject({ reference: '{{ vars.pol }}', index: 13, message: 'undefined var `pol`', hint: 'did you mean `pool`?' });
    expect(e.expected).toContain('pool');
    expect(e.expected).toContain('dir');
  });

  it('an undefined var with nothing close suggests declaring it', () => {
    const e = errorOf('echo {{ vars.zzzzzzzzzz }}');
    expect(e.message).toBe('undefined var `zzzzzzzzzz`');
    expect(e.hint).toBe('declare it under `vars:`');
  });

  it('an undefined secret, host, host field and param', () => {
    expect(errorOf('{{ secrets.tokn }}')).toMatchObject({ message: 'undefined secret `tokn`', hint: 'did you mean `token`?' });
    expect(errorOf('{{ hosts.nsa.address }}')).toMatchObject({ message: 'undefined host `nsa`', hint: 'did you mean `nas`?' });
    expect(errorOf('{{ hosts.nas.adress }}')).toMatchObject({ message: 'unknown host field `adress` in `hosts.nas.adress`', hint: 'did you mean `address`?' });
    expect(errorOf('{{ hosts.nas }}').message).toBe('unknown host field `` in `hosts.nas`');
    const s = scope({ params: new Map([['interface', text('eth0')]]) });
    expect(errorOf('ip link set {{ params.interfce }} up', s)).toMatchObject({ message: 'undefined param `interfce`', hint: 'did you mean `interface`?' });
  });

  it('an unknown namespace, with a hint for the namespace', () => {
    expect(errorOf('{{ var.pool }}')).toMatchObject({ message: 'unknown reference `var.pool`', hint: 'did you mean `vars`?' });
    expect(errorOf('{{ secret.token }}')).toMatchObject({ message: 'unknown reference `secret.token`', hint: 'did you mean `secrets`?' });
    expect(errorOf('{{ pool }}').message).toBe('unknown reference `pool`');
    expect(errorOf('{{ }}').message).toBe('unknown reference ``');
  });

  it('too many parts', () => {
    expect(errorOf('{{ vars.pool.name }}').message).toBe('`vars.pool.name` has too many parts');
    expect(errorOf('{{ hosts.nas.address.x }}').message).toContain('unknown host field');
  });

  it('reports every bad reference, each at its own offset', () => {
    const { errors } = interpolate('{{ vars.a }} and {{ vars.a }} and {{ secrets.b }}', scope(), 'shell');
    expect(errors.map((e) => [e.reference, e.index])).toEqual([
      ['{{ vars.a }}', 0],
      ['{{ vars.a }}', 17],
      ['{{ secrets.b }}', 34],
    ]);
  });

  it('prototype member names are not host fields (hosts.nas.constructor is an error)', () => {
    for (const field of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const { rendered, errors } = interpolate(`echo {{ hosts.nas.${field} }}`, scope(), 'shell');
      expect(errors, field).toHaveLength(1);
      expect(errors[0]).toMatchObject({ reference: `{{ hosts.nas.${field} }}`, index: 5, message: `unknown host field \`${field}\` in \`hosts.nas.${field}\`` });
      expect(errors[0]!.expected).toBe('one of name, ssh, user, address, port');
      // Kept as written: nothing from Object.prototype reaches the command.
      expect(displayText(rendered)).toBe(`echo {{ hosts.nas.${field} }}`);
    }
    // Nor are prototype names hosts, vars or params.
    expect(interpolate('{{ hosts.constructor.name }}', scope(), 'plain').errors[0]?.message).toBe('undefined host `constructor`');
    expect(interpolate('{{ vars.constructor }}', scope(), 'plain').errors[0]?.message).toBe('undefined var `constructor`');
    expect(interpolate('{{ vars.__proto__ }}', scope(), 'plain').errors[0]?.message).toBe('undefined var `__proto__`');
  });

  it('an unterminated `{{ vars.pool` is reported at the `{{`, and the text kept as written', () => {
    for (const [template, index] of [
      ['zpool import {{ vars.pool', 13],
      ['zpool import {{ vars.pool }', 13],
      ['zpool import {{ vars.pool } && ls', 13],
      ['{{ vars.pool', 0],
    ] as const) {
      const { rendered, errors } = interpolate(template, scope(), 'shell');
      expect(errors, template).toEqual([expect.objectContaining({ index, message: 'a `{{` reference is not closed', hint: 'add the closing `}}`', expected: '{{ namespace.name }}' })]);
      expect(errors[0]!.reference.startsWith('{{ vars.pool')).toBe(true);
      expect(displayText(rendered)).toBe(template);
    }
  });

  it('an unterminated reference before a good one: both are seen, each at its offset', () => {
    const { rendered, errors } = interpolate('a {{ vars.pool b {{ vars.dir }} c', scope(), 'shell');
    expect(errors.map((e) => [e.message, e.index])).toEqual([['a `{{` reference is not closed', 2]]);
    expect(displayText(rendered)).toBe('a {{ vars.pool b /mnt/backup c');
    // An unclosed reference after good ones, on another line: only its own line is quoted back.
    const late = interpolate('echo {{ vars.pool }}\necho {{ vars.dir\necho done', scope(), 'shell');
    expect(late.errors).toEqual([expect.objectContaining({ index: 26, reference: '{{ vars.dir' })]);
  });

  it('a lone `}}` or single braces are ordinary text', () => {
    expect(interpolate('echo }} { } ${x}', scope(), 'shell').errors).toEqual([]);
  });
});

describe('interpolate: regular expressions', () => {
  const withVar = (value: string): Scope => scope({ vars: new Map([['v', text(value)]]) });
  const regexOf = (template: string, value: string) => new RegExp(renderText(ok(template, withVar(value), 'regex'), noSecrets));

  it('a value matches itself literally: output that differs only at a metacharacter does not match', () => {
    const value = 'a.b+c';
    const re = regexOf('^version {{ vars.v }}$', value);
    expect(re.test('version a.b+c')).toBe(true);
    for (const near of ['version aXb+c', 'version a.bbc', 'version a.bc', 'version aXbbc']) {
      expect(re.test(near), near).toBe(false);
    }
    // The unescaped value would have matched those, so the escaping is what makes the difference.
    expect(new RegExp(`^version ${value}$`).test('version a.bbc')).toBe(true);
    expect(new RegExp(`^version ${value}$`).test('version aXbbc')).toBe(true);
  });

  it.each(['10.0.0.2/24', '(a|b)', '[x]{2}', '^$', 'C:\\dir\\n', '*?+', 'a\\', '', 'x/y'])('%j matches exactly itself', (value) => {
    const re = regexOf('^<{{ vars.v }}>$', value);
    expect(re.test(`<${value}>`)).toBe(true);
    if (value !== '') expect(re.test(`<${value}x>`)).toBe(false);
  });

  it('the written pattern around the reference stays a pattern', () => {
    const re = regexOf('\\s{{ vars.v }}(\\s|$)', '10.0.0.2/24');
    expect(re.test('eth0 UP 10.0.0.2/24 fe80::1/64')).toBe(true);
    expect(re.test('eth0 UP 10.0.0.2/24')).toBe(true);
    expect(re.test('eth0 UP 10.0.0.2/245')).toBe(false);
    expect(re.test('eth0 UP 10x0x0x2/24')).toBe(false);
  });

  it('escapeValue: regex escapes every metacharacter (and /), plain leaves the value alone', () => {
    expect(escapeValue('a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p', 'regex')).toBe('a\\.b\\*c\\+d\\?e\\^f\\$g\\{h\\}i\\(j\\)k\\|l\\[m\\]n\\\\o\\/p');
    expect(escapeValue("it's $(x) `y`", 'plain')).toBe("it's $(x) `y`");
  });

  it('a secret in a pattern is shown masked (and escaped), and revealed escaped', () => {
    const r = ok('^token={{ secrets.token }}$', scope(), 'regex');
    expect(displayText(r)).toBe('^token=\\[secret:token\\]$');
    expect(new RegExp(renderText(r, () => 'a.b')).test('token=a.b')).toBe(true);
    expect(new RegExp(renderText(r, () => 'a.b')).test('token=aXb')).toBe(false);
  });
});

describe('shell quoting: a value can never inject a command', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-quote-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const bash = async (script: string) => {
    const result = await execa('bash', ['-c', script], { cwd: dir, reject: false, stripFinalNewline: false, env: { HOME: '/nonexistent-home' } });
    return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  };

  const withVar = (value: string): Scope => scope({ vars: new Map([['v', text(value)]]) });
  /** The scripts of one hostile value: printed as a var, counted as a var, printed as a revealed secret. */
  const matrix: Record<'printed' | 'counted' | 'revealed', (value: string) => ReturnType<typeof interpolate>> = {
    printed: (value: string) => interpolate("printf '%s\\n' {{ vars.v }}", withVar(value), 'shell'),
    counted: (value: string) => interpolate('count() { echo $#; }; count {{ vars.v }}', withVar(value), 'shell'),
    revealed: () => interpolate("printf '%s\\n' {{ secrets.token }}", scope(), 'shell'),
  };
  type MatrixKind = keyof typeof matrix;
  const resolverOf = (kind: MatrixKind, value: string) => (kind === 'revealed' ? () => value : noSecrets);
  const key = (kind: MatrixKind, value: string) => `${kind} ${JSON.stringify(value)}`;
  const scriptOf = (kind: MatrixKind, value: string): string => {
    const { rendered, errors } = matrix[kind](value);
    expect(errors, key(kind, value)).toEqual([]);
    return renderText(rendered, resolverOf(kind, value));
  };

  // Every case of the matrix below runs in one bash (in a sandbox folder of its own): each case's test reads its result.
  let results = new Map<string, SandboxResult>();
  beforeAll(async () => {
    const keys: string[] = [];
    const cases: BatchCase[] = [];
    for (const value of HOSTILE) {
      for (const kind of Object.keys(matrix) as MatrixKind[]) {
        // A case that does not interpolate cleanly fails in its own test; the batch runs nothing for it.
        if (matrix[kind](value).errors.length > 0) continue;
        keys.push(key(kind, value));
        cases.push({ script: renderText(matrix[kind](value).rendered, resolverOf(kind, value)) });
      }
    }
    const ran = await runBatch(cases);
    results = new Map(keys.map((k, i) => [k, ran[i]!]));
  });
  const resultOf = (kind: MatrixKind, value: string): SandboxResult => {
    scriptOf(kind, value);
    const result = results.get(key(kind, value));
    if (!result) throw new Error(`the batch has no result for ${key(kind, value)}`);
    return result;
  };

  it('shellQuote: safe words stay bare, everything else is single-quoted', () => {
    expect(shellQuote('tank')).toBe('tank');
    expect(shellQuote('/dev/disk/by-id')).toBe('/dev/disk/by-id');
    expect(shellQuote('root@10.0.0.2:22')).toBe('root@10.0.0.2:22');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it.each(HOSTILE)('var %j arrives as exactly one argument and runs nothing', (value) => {
    // printf prints one line per argument: exactly the value means exactly one argument.
    expect(resultOf('printed', value)).toEqual({ code: 0, stdout: `${value}\n`, stderr: '', files: [] });
    // Argument count, independently of printf: $# inside a function.
    expect(resultOf('counted', value)).toEqual({ code: 0, stdout: '1\n', stderr: '', files: [] });
  });

  it('a value glued to other text, or to another value, is still one word', async () => {
    const s = scope({
      vars: new Map([
        ['a', text('x; touch PWNED')],
        ['b', text("$(touch PWNED)'")],
      ]),
    });
    const command = renderText(ok("printf '<%s>\\n' --opt={{ vars.a }} {{ vars.a }}{{ vars.b }} pre-{{ vars.b }}-post", s, 'shell'), noSecrets);
    const result = await bash(command);
    expect(result.stdout).toBe("<--opt=x; touch PWNED>\n<x; touch PWNED$(touch PWNED)'>\n<pre-$(touch PWNED)'-post>\n");
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each(HOSTILE)('secret %j revealed by renderText is one argument too', (value) => {
    expect(resultOf('revealed', value)).toEqual({ code: 0, stdout: `${value}\n`, stderr: '', files: [] });
  });

  it('through a whole plan: a var, a var passed to a template param, and a host field', async () => {
    const runbook = [
      'name: quoting',
      'vars:',
      '  v: "x; touch PWNED"',
      'hosts:',
      '  nas: { ssh: "root@nas" }',
      'phases:',
      '  - id: p',
      '    steps:',
      '      - id: direct',
      "        run: printf '%s\\n' {{ vars.v }} {{ hosts.nas.user }}",
      '      - uses: demo/echo',
      '        with: { message: "pre {{ vars.v }} post" }',
    ].join('\n');
    const input: PlanInput = {
      runbook: { path: 'quoting.yaml', text: runbook },
      library: {
        dir: 'steps',
        templates: new Map([['demo/echo', { path: 'steps/demo/echo.yaml', text: "params:\n  message: { type: string }\nstep:\n  run: printf '%s\\n' {{ params.message }}\n" }]]),
        scripts: new Set(),
      },
    };
    const { plan, problems } = buildPlan(input, SCHEMAS);
    expect(problems).toEqual([]);
    const [direct, viaTemplate] = plan!.phases[0]!.steps;
    const run = async (step: typeof direct) => {
      if (step?.action.kind !== 'run') throw new Error('expected a run step');
      return (await bash(renderText(step.action.command, noSecrets))).stdout;
    };
    expect(await run(direct)).toBe('x; touch PWNED\nroot\n');
    expect(await run(viaTemplate)).toBe('pre x; touch PWNED post\n');
    expect(readdirSync(dir)).toEqual([]);
    // The plan shows the same quoted command that would run.
    expect(planView(plan!).phases[0]!.steps[1]!.command).toBe("printf '%s\\n' 'pre x; touch PWNED post'");
  });
});

/** A bash context a reference can be written in, and what the script prints for a value. */
interface BashContext {
  name: string;
  script: (reference: string) => string;
  prints: (value: string) => string;
  /** False in unquoted here-documents: a line of a multi-line value could end the document. */
  multiline: boolean;
}

const CONTEXTS: BashContext[] = [
  { name: 'bare word', script: (r) => `printf '%s\\n' ${r}`, prints: (v) => `${v}\n`, multiline: true },
  { name: 'bare word glued to text', script: (r) => `printf '%s\\n' pre-${r}-post`, prints: (v) => `pre-${v}-post\n`, multiline: true },
  { name: "inside '…'", script: (r) => `printf '%s\\n' 'pre ${r} post'`, prints: (v) => `pre ${v} post\n`, multiline: true },
  { name: "alone inside '…'", script: (r) => `printf '%s\\n' '${r}'`, prints: (v) => `${v}\n`, multiline: true },
  { name: 'inside "…"', script: (r) => `printf '%s\\n' "pre ${r} post"`, prints: (v) => `pre ${v} post\n`, multiline: true },
  { name: 'alone inside "…"', script: (r) => `printf '%s\\n' "${r}"`, prints: (v) => `${v}\n`, multiline: true },
  {
    name: 'bare inside $(…) inside "…"',
    script: (r) => `printf '%s\\n' "pre $(printf '%s' ${r}) post"`,
    // Command substitution drops trailing newlines.
    prints: (v) => `pre ${v.replace(/\n+$/, '')} post\n`,
    multiline: true,
  },
  {
    name: '"…" inside $(…) inside "…"',
    script: (r) => `printf '%s\\n' "pre $(printf '%s' "${r}") post"`,
    prints: (v) => `pre ${v.replace(/\n+$/, '')} post\n`,
    multiline: true,
  },
  {
    name: '\'…\' inside $(…) inside "…"',
    script: (r) => `printf '%s\\n' "pre $(printf '%s' '${r}') post"`,
    prints: (v) => `pre ${v.replace(/\n+$/, '')} post\n`,
    multiline: true,
  },
  { name: 'unquoted here-document', script: (r) => `cat <<EOF\npre ${r} post\nEOF\necho after`, prints: (v) => `pre ${v} post\nafter\n`, multiline: false },
  {
    name: '<<-EOF here-document, tab-indented',
    script: (r) => `cat <<-EOF\n\tpre ${r} post\n\tEOF\necho after`,
    prints: (v) => `pre ${v} post\nafter\n`,
    multiline: false,
  },
  { name: 'here-string <<<', script: (r) => `cat <<< ${r}`, prints: (v) => `${v}\n`, multiline: true },
  { name: 'here-string <<< "…"', script: (r) => `cat <<< "pre ${r} post"`, prints: (v) => `pre ${v} post\n`, multiline: true },
];

describe('context-aware escaping: hostile values in every bash context, run by real bash', () => {
  /** Files present before the script runs: a glob that expanded would name them. */
  const SENTINELS = ['b', 'existing'];

  /** Runs one script the way the matrix runs each of its cases. */
  async function runInSandbox(script: string, env: Record<string, string> = {}): Promise<SandboxResult> {
    const [result] = await runBatch([{ script, env }], SENTINELS);
    return result!;
  }

  it('the sandbox notices a value that runs (control: the same values pasted in raw)', async () => {
    const [raw, glob, failing, exiting, broken, after] = await runBatch(
      [`printf '%s\\n' x; touch PWNED`, `printf '%s\\n' *`, 'echo out; echo err >&2; false', 'exit 3', 'echo "unterminated', 'echo fine'].map((script) => ({ script })),
      SENTINELS,
    );
    expect(raw!.files).toEqual(['PWNED', ...SENTINELS]);
    expect(glob!.stdout).toBe('b\nexisting\n');
    // Each case is reported on its own, and one that fails, exits or does not parse ends only itself.
    expect(failing).toEqual({ code: 1, stdout: 'out\n', stderr: 'err\n', files: SENTINELS });
    expect(exiting).toMatchObject({ code: 3, stdout: '' });
    expect(broken!.code).not.toBe(0);
    expect(broken!.stderr).toMatch(/unexpected EOF/);
    expect(after).toEqual({ code: 0, stdout: 'fine\n', stderr: '', files: SENTINELS });
  });

  it('there are 20+ hostile values, and every context is covered', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
    const kinds = new Set(
      CONTEXTS.flatMap((c) => {
        const { rendered } = interpolate(c.script('{{ vars.v }}'), scope({ vars: new Map([['v', text('x')]]) }), 'shell');
        return rendered.flatMap((s) => ('quote' in s ? [s.quote] : []));
      }),
    );
    expect([...kinds].sort()).toEqual(['double', 'heredoc', 'single', 'word']);
  });

  // A value of text and secret pieces, as a template param builds it.
  const PARAM = { before: `it's "$(touch PWNED)" \\`, secret: `'; touch PWNED; "$(touch PWNED)`, after: "`touch PWNED` '; x" };
  const paramScope = () => scope({ params: new Map<string, Piece[]>([['p', [{ text: PARAM.before }, { secret: 'token' }, { text: '' }, { text: PARAM.after }]]]) });

  describe.each(CONTEXTS)('$name', (context) => {
    const asVar = (value: string) => interpolate(context.script('{{ vars.v }}'), scope({ vars: new Map([['v', text(value)]]) }), 'shell');
    const asSecret = () => interpolate(context.script('{{ secrets.db_password }}'), scope(), 'shell');
    const asParam = () => interpolate(context.script('{{ params.p }}'), paramScope(), 'shell');

    // Every case of this context runs in one bash, each in a sandbox of its own; each test reads its case's result.
    let results = new Map<string, SandboxResult>();
    beforeAll(async () => {
      const keyed: [string, BatchCase][] = [];
      for (const value of HOSTILE) {
        // Cases that do not interpolate cleanly run nothing: their tests check the errors.
        const v = asVar(value);
        if (v.errors.length === 0) keyed.push([`var ${JSON.stringify(value)}`, { script: displayText(v.rendered) }]);
        const s = asSecret();
        if (s.errors.length === 0) {
          const { script, secrets } = renderShell(s.rendered);
          keyed.push([`secret ${JSON.stringify(value)}`, { script, env: secretEnvFor(new Map([['db_password', value]]), secrets) }]);
        }
      }
      const p = asParam();
      if (p.errors.length === 0) {
        const { script, secrets } = renderShell(p.rendered);
        keyed.push(['param', { script, env: secretEnvFor(new Map([['token', PARAM.secret]]), secrets) }]);
      }
      const ran = await runBatch(
        keyed.map(([, c]) => c),
        SENTINELS,
      );
      results = new Map(keyed.map(([k], i) => [k, ran[i]!]));
    });
    const resultOf = (key: string): SandboxResult => {
      const result = results.get(key);
      if (!result) throw new Error(`the batch has no result for ${key}`);
      return result;
    };

    it.each(HOSTILE)('var %j arrives exactly as the value and runs nothing', (value) => {
      const { rendered, errors } = asVar(value);
      if (!context.multiline && value.includes('\n')) {
        expect(errors).toEqual([
          expect.objectContaining({
            reference: '{{ vars.v }}',
            message: 'a value with a line break cannot be placed in a here-document: a line of it could end the document',
          }),
        ]);
        return;
      }
      if (!context.multiline && value.replace(/^\t+/, '') === 'EOF') {
        expect(errors).toEqual([expect.objectContaining({ reference: '{{ vars.v }}', message: "a value equal to the here-document's delimiter (EOF) would end the document early" })]);
        return;
      }
      expect(errors).toEqual([]);
      // What the plan shows is what runs.
      const shown = displayText(rendered);
      expect(renderText(rendered, noSecrets)).toBe(shown);
      expect(resultOf(`var ${JSON.stringify(value)}`)).toEqual({ code: 0, stdout: context.prints(value), stderr: '', files: SENTINELS });
    });

    it.each(HOSTILE)('secret %j arrives exactly as the value through its env var and runs nothing', (value) => {
      const { rendered, errors } = asSecret();
      expect(errors).toEqual([]);
      expect(renderShell(rendered).secrets).toEqual(['db_password']);
      // Secrets travel in the environment, so even a multi-line one is fine in a here-document.
      expect(resultOf(`secret ${JSON.stringify(value)}`)).toEqual({ code: 0, stdout: context.prints(value), stderr: '', files: SENTINELS });
    });

    it('a value of text and secret pieces (a template param) arrives whole', () => {
      expect(asParam().errors).toEqual([]);
      expect(resultOf('param')).toEqual({ code: 0, stdout: context.prints(PARAM.before + PARAM.secret + PARAM.after), stderr: '', files: SENTINELS });
    });
  });

  it('two secrets whose names differ only by `-` and `_` arrive as their own values', async () => {
    const s = scope({ secrets: new Set(['a-b', 'a_b', 'a_0b']) });
    const { script, secrets } = renderShell(ok(`printf '%s\\n' {{ secrets.a-b }} "{{ secrets.a_b }}" '{{ secrets.a_0b }}'`, s, 'shell'));
    const values = new Map([
      ['a-b', 'dash $(touch PWNED)'],
      ['a_b', 'underscore `touch PWNED`'],
      ['a_0b', "zero '; touch PWNED; '"],
    ]);
    const result = await runInSandbox(script, secretEnvFor(values, secrets));
    expect(result).toEqual({ code: 0, stdout: "dash $(touch PWNED)\nunderscore `touch PWNED`\nzero '; touch PWNED; '\n", stderr: '', files: SENTINELS });
  });

  it('a value in a quoted here-document is an error, for vars and secrets, whatever the quoting of the delimiter', () => {
    const message = "a value cannot be placed in a quoted here-document (<<'EOF'): its body is taken literally";
    for (const script of [`cat <<'EOF'\nx {{ R }}\nEOF`, `cat <<"EOF"\n{{ R }}\nEOF`, `cat <<\\EOF\n{{ R }}\nEOF`, `cat <<-'EOF'\n\t{{ R }}\n\tEOF`]) {
      for (const reference of ['{{ vars.pool }}', '{{ secrets.token }}', '{{ hosts.nas.address }}']) {
        const { rendered, errors } = interpolate(script.replace('{{ R }}', reference), scope(), 'shell');
        expect(errors, script).toEqual([
          expect.objectContaining({ reference, message, expected: 'an unquoted here-document (<<EOF) or a here-string (<<<)', hint: 'drop the quotes around the here-document delimiter' }),
        ]);
        // Kept as written, so the body would show the reference, never a half-escaped value.
        expect(displayText(rendered)).toBe(script.replace('{{ R }}', reference));
      }
    }
    // The same reference after the document ends is fine.
    expect(interpolate(`cat <<'EOF'\nliteral $x\nEOF\necho {{ vars.pool }}`, scope(), 'shell').errors).toEqual([]);
  });

  it('a multi-line value in an unquoted here-document is an error; one-line values and here-strings are fine', () => {
    const multi = scope({
      vars: new Map([
        ['v', text('one\ntwo')],
        ['pool', text('tank')],
      ]),
      params: new Map<string, Piece[]>([['p', [{ secret: 'token' }, { text: '\nEOF' }]]]),
    });
    for (const reference of ['{{ vars.v }}', '{{ params.p }}']) {
      const { errors } = interpolate(`cat <<EOF\n{{ R }}\nEOF`.replace('{{ R }}', reference), multi, 'shell');
      expect(errors).toEqual([expect.objectContaining({ reference, expected: 'a one-line value here', hint: 'pass it as an argument or through a here-string (<<<) instead' })]);
    }
    expect(interpolate('cat <<< {{ vars.v }}', multi, 'shell').errors).toEqual([]);
    expect(interpolate('cat <<EOF\n{{ vars.pool }}\nEOF', multi, 'shell').errors).toEqual([]);
    // A quote in the here-document body does not leak out of it.
    expect(interpolate("cat <<EOF\nit's\nEOF\necho {{ vars.v }}", multi, 'shell').rendered.at(-1)).toEqual({ value: text('one\ntwo'), quote: 'word' });
  });

  it('the errors reach the plan with their position', () => {
    const runbook = [
      'name: heredocs',
      'vars: { v: "a\\nb" }',
      'phases:',
      '  - id: p',
      '    steps:',
      '      - id: quoted',
      '        run: "cat <<\'EOF\'\\n{{ vars.v }}\\nEOF"',
      '      - id: multi',
      '        run: |',
      '          cat <<EOF',
      '          {{ vars.v }}',
      '          EOF',
    ].join('\n');
    const { plan, problems } = buildPlan({ runbook: { path: 'heredocs.yaml', text: runbook }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, SCHEMAS);
    expect(plan).toBeUndefined();
    expect(problems.map((p) => [p.path, p.line, p.message.split(':')[0]])).toEqual([
      ['phases[0].steps[0].run', 7, "a value cannot be placed in a quoted here-document (<<'EOF')"],
      ['phases[0].steps[1].run', 11, 'a value with a line break cannot be placed in a here-document'],
    ]);
  });

  it('a value equal to the here-document delimiter is an error (it would end the document early)', () => {
    for (const [script, value] of [
      ['cat <<EOF\n{{ vars.v }}\ntouch PWNED\nEOF', 'EOF'],
      ['cat <<-EOF\n\t{{ vars.v }}\n\ttouch PWNED\n\tEOF', '\tEOF'],
    ] as const) {
      const { errors } = interpolate(script, scope({ vars: new Map([['v', text(value)]]) }), 'shell');
      expect(errors).toEqual([expect.objectContaining({ message: "a value equal to the here-document's delimiter (EOF) would end the document early" })]);
    }
    // Any other one-line value is fine there.
    expect(interpolate('cat <<EOF\n{{ vars.v }}\nEOF', scope({ vars: new Map([['v', text('EOFX')]]) }), 'shell').errors).toEqual([]);
  });

  it("a value inside backticks, $'…', ${…} or arithmetic is refused, not risked", () => {
    const message = "a value cannot be placed here: inside backticks, $'…', ${…} or a `case` in $(…), its quoting cannot be made safe";
    for (const script of [
      "printf '%s\\n' `echo {{ vars.v }}`",
      'printf \'%s\\n\' "`echo "{{ vars.v }}"`"',
      "printf '%s\\n' $'{{ vars.v }}'",
      'echo "${X:-{{ vars.v }}}"',
      'echo "$(case a in a) echo {{ vars.v }};; esac)"',
    ]) {
      const { errors } = interpolate(script, scope({ vars: new Map([['v', text('x`; touch PWNED; `')]]) }), 'shell');
      expect(errors, script).toEqual([expect.objectContaining({ reference: '{{ vars.v }}', message })]);
    }
  });

  it('a value of several empty pieces is still one (empty) word when run, as the plan shows', async () => {
    const s = scope({ params: new Map<string, Piece[]>([['p', [{ text: '' }, { text: '' }]]]) });
    const rendered = ok("printf '<%s>\\n' {{ params.p }} end", s, 'shell');
    const { script } = renderShell(rendered);
    expect(script).toBe(displayText(rendered));
    const result = await execa('bash', ['-c', script]);
    expect(result.stdout).toBe('<>\n<end>');
  });
});
