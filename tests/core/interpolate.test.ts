import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { buildPlan, type PlanInput } from '../../src/core/build-plan.js';
import { hasReferences, interpolate, type Scope } from '../../src/core/interpolate.js';
import { planView } from '../../src/core/plan-view.js';
import { displayText, renderText, secretMask, secretsIn, type Piece, type Rendered } from '../../src/core/rendered.js';
import { shellQuote } from '../../src/core/shell-quote.js';

// Awaited so this works whether loadSchemaChecks is synchronous or returns a promise.
const SCHEMAS = await loadSchemaChecks();

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
function ok(template: string, s: Scope, shell: boolean): Rendered {
  const { rendered, errors } = interpolate(template, s, shell);
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
];

describe('interpolate: what references resolve to', () => {
  it('leaves text without references as one raw segment', () => {
    expect(hasReferences('zpool import tank')).toBe(false);
    expect(interpolate('zpool import tank', scope(), true)).toEqual({ rendered: [{ raw: 'zpool import tank' }], errors: [] });
  });

  it('resolves vars, with or without spaces inside the braces', () => {
    const r = ok('zpool import {{ vars.pool }} && ls {{vars.dir}} {{   vars.pool   }}', scope(), true);
    expect(renderText(r, noSecrets)).toBe('zpool import tank && ls /mnt/backup tank');
    expect(r).toEqual([
      { raw: 'zpool import ' },
      { value: text('tank'), quote: true },
      { raw: ' && ls ' },
      { value: text('/mnt/backup'), quote: true },
      { raw: ' ' },
      { value: text('tank'), quote: true },
    ]);
  });

  it('resolves every host field; port defaults are whatever the scope holds', () => {
    const r = ok('{{ hosts.nas.name }} {{ hosts.nas.ssh }} {{ hosts.nas.user }} {{ hosts.nas.address }} {{ hosts.nas.port }}', scope(), false);
    expect(renderText(r, noSecrets)).toBe('nas root@10.0.0.2 root 10.0.0.2 2222');
    // An empty field is still one (empty) word in shell text.
    expect(renderText(ok('ssh -l {{ hosts.pve.user }} x', scope(), true), noSecrets)).toBe("ssh -l '' x");
  });

  it('resolves params only where the scope has them (inside a template)', () => {
    const inTemplate = scope({ params: new Map([['pool', text('rpool')]]) });
    expect(renderText(ok('zpool import {{ params.pool }}', inTemplate, true), noSecrets)).toBe('zpool import rpool');

    const outside = interpolate('zpool import {{ params.pool }}', scope(), true);
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
    const r = ok('curl -H {{ params.auth }} http://x', s, true);
    expect(displayText(r)).toBe("curl -H 'Bearer [secret:token]' http://x");
    expect(renderText(r, () => 's3cr3t value')).toBe("curl -H 'Bearer s3cr3t value' http://x");
    expect(secretsIn(r)).toEqual(['token']);
  });

  it('does not interpolate a value a second time (a var holding {{ secrets.x }} stays literal text)', () => {
    const s = scope({ vars: new Map([['v', text('{{ secrets.token }}')]]) });
    const r = ok('echo {{ vars.v }}', s, true);
    expect(secretsIn(r)).toEqual([]);
    expect(renderText(r, noSecrets)).toBe("echo '{{ secrets.token }}'");
  });

  it('only quotes in shell text: titles and other prose get the value as it is', () => {
    const s = scope({ vars: new Map([['v', text("it's a b")]]) });
    expect(renderText(ok('Restore {{ vars.v }}', s, false), noSecrets)).toBe("Restore it's a b");
    expect(renderText(ok('echo {{ vars.v }}', s, true), noSecrets)).toBe("echo 'it'\\''s a b'");
  });
});

describe('interpolate: secrets', () => {
  it('are masked as [secret:NAME] in display and revealed only by renderText with a resolver', () => {
    const r = ok('mysql -p{{ secrets.db_password }} --token={{ secrets.token }}', scope(), true);
    expect(secretsIn(r)).toEqual(['db_password', 'token']);
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
    const r = ok('Log in with {{ secrets.token }}', scope(), false);
    expect(displayText(r)).toBe('Log in with [secret:token]');
    expect(renderText(r, () => 'abc')).toBe('Log in with abc');
  });

  it('stay unresolved in the rendered structure: the value is nowhere in it', () => {
    const r = ok('echo {{ secrets.token }}', scope(), true);
    expect(JSON.stringify(r)).toBe('[{"raw":"echo "},{"value":[{"secret":"token"}],"quote":true}]');
  });
});

describe('interpolate: errors for names that do not exist', () => {
  const errorOf = (template: string, s: Scope = scope()) => {
    const { errors } = interpolate(template, s, true);
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
    const { errors } = interpolate('{{ vars.a }} and {{ vars.a }} and {{ secrets.b }}', scope(), true);
    expect(errors.map((e) => [e.reference, e.index])).toEqual([
      ['{{ vars.a }}', 0],
      ['{{ vars.a }}', 17],
      ['{{ secrets.b }}', 34],
    ]);
  });

  // BUG (src/core/interpolate.ts, lookup): host fields are looked up with `field in host`, which
  // also finds Object.prototype members. Input: `run: echo {{ hosts.nas.constructor }}` (or
  // `.toString`, `.__proto__`, `.hasOwnProperty`). Actual: no error; the command renders as
  // `echo 'function Object() { [native code] }'`. Expected: "unknown host field `constructor`",
  // like any other name that is not one of name, ssh, user, address, port.
  it.todo('prototype member names are not host fields (hosts.nas.constructor is an error)');

  // QUESTIONABLE (src/core/interpolate.ts): an unterminated reference is not reported. Input:
  // `run: zpool import {{ vars.pool` or `{{ vars.pool }` (a typo). Actual: no error; the text is
  // kept raw and the command would run with the literal braces. Expected: a problem such as
  // "unterminated reference `{{ vars.pool`".
  it.todo('an unterminated `{{ vars.pool` is reported');
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

  it('shellQuote: safe words stay bare, everything else is single-quoted', () => {
    expect(shellQuote('tank')).toBe('tank');
    expect(shellQuote('/dev/disk/by-id')).toBe('/dev/disk/by-id');
    expect(shellQuote('root@10.0.0.2:22')).toBe('root@10.0.0.2:22');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it.each(HOSTILE)('var %j arrives as exactly one argument and runs nothing', async (value) => {
    const command = renderText(ok("printf '%s\\n' {{ vars.v }}", withVar(value), true), noSecrets);
    const result = await bash(command);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // printf prints one line per argument: exactly the value means exactly one argument.
    expect(result.stdout).toBe(`${value}\n`);
    expect(readdirSync(dir)).toEqual([]);

    // Argument count, independently of printf: $# inside a function.
    const counted = renderText(ok('count() { echo $#; }; count {{ vars.v }}', withVar(value), true), noSecrets);
    expect((await bash(counted)).stdout).toBe('1\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a value glued to other text, or to another value, is still one word', async () => {
    const s = scope({ vars: new Map([['a', text('x; touch PWNED')], ['b', text("$(touch PWNED)'")]]) });
    const command = renderText(ok("printf '<%s>\\n' --opt={{ vars.a }} {{ vars.a }}{{ vars.b }} pre-{{ vars.b }}-post", s, true), noSecrets);
    const result = await bash(command);
    expect(result.stdout).toBe("<--opt=x; touch PWNED>\n<x; touch PWNED$(touch PWNED)'>\n<pre-$(touch PWNED)'-post>\n");
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each(HOSTILE)('secret %j revealed by renderText is one argument too', async (value) => {
    const command = renderText(ok("printf '%s\\n' {{ secrets.token }}", scope(), true), () => value);
    const result = await bash(command);
    expect(result.stdout).toBe(`${value}\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('through a whole plan: a var, a var passed to a template param, and a host field', async () => {
    const runbook = [
      'name: quoting',
      'vars:',
      '  v: "x; touch PWNED"',
      'hosts:',
      "  nas: { ssh: \"$(touch PWNED)@nas\" }",
      'phases:',
      '  - id: p',
      '    steps:',
      "      - id: direct",
      "        run: printf '%s\\n' {{ vars.v }} {{ hosts.nas.user }}",
      '      - uses: demo/echo',
      '        with: { message: "pre {{ vars.v }} post" }',
    ].join('\n');
    const input: PlanInput = {
      runbook: { path: 'quoting.yaml', text: runbook },
      library: {
        dir: 'steps',
        templates: new Map([
          ['demo/echo', { path: 'steps/demo/echo.yaml', text: "params:\n  message: { type: string }\nstep:\n  run: printf '%s\\n' {{ params.message }}\n" }],
        ]),
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
    expect(await run(direct)).toBe('x; touch PWNED\n$(touch PWNED)\n');
    expect(await run(viaTemplate)).toBe('pre x; touch PWNED post\n');
    expect(readdirSync(dir)).toEqual([]);
    // The plan shows the same quoted command that would run.
    expect(planView(plan!).phases[0]!.steps[1]!.command).toBe("printf '%s\\n' 'pre x; touch PWNED post'");
  });

  // BUG (src/core/interpolate.ts / shell-quote.ts): quoting is not aware of the shell context the
  // reference is written in. A template author who writes the reference inside quotes (a common
  // habit) or in a heredoc lets a var run commands:
  //   vars: { v: "x; touch PWNED" }   run: echo '{{ vars.v }}'
  //     actual rendered: echo ''x; touch PWNED''   -> bash runs `touch PWNED`
  //   vars: { v: "$(touch PWNED)" }   run: echo "{{ vars.v }}"
  //     actual rendered: echo "'$(touch PWNED)'"   -> the command substitution runs
  //   run: "cat <<EOF\n{{ vars.v }}\nEOF"          -> same, inside an unquoted heredoc
  // Verified with real bash: the file PWNED is created. Expected: either a validation problem
  // ("a reference inside quotes or a heredoc cannot be quoted safely; write it bare") or quoting
  // that is correct for the context. Until then `a var can never inject a command` does not hold.
  it.todo("a reference written inside '...', \"...\" or a heredoc cannot inject a command");
});
