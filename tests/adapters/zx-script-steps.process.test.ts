import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zxScriptRunner } from '../../src/adapters/zx-script-runner.js';
import { BIN } from '../helpers/cli.js';

// A steps folder far from the checkout: nothing in or above it holds a node_modules with zx.
const SCRIPT = `#!/usr/bin/env zx
import { $, argv } from 'zx';
import { readFileSync, writeFileSync } from 'node:fs';
// $ runs a command; argv holds the step's args; fs and chalk are zx globals, never imported here.
await $\`printf '%s\\n' \${argv.greeting} \${argv._[0]} > effect.txt\`;
fs.writeFileSync('globals.txt', [typeof chalk.bold, typeof echo, typeof sleep].join(' '));
writeFileSync('cmdline.txt', readFileSync('/proc/' + process.pid + '/cmdline'));
writeFileSync('token.len', String(process.env.API_TOKEN?.length ?? -1));
const shown = await $\`printf 'token is %s\\n' "$API_TOKEN"\`;
console.log(shown.stdout.trim());
`;

const TOKEN = 'zx-step-secret-4f9c1e';

function runbook(): string {
  return [
    'format: 1',
    'name: zx-outside',
    'secrets:',
    '  token:',
    '    env: ZX_TEST_TOKEN',
    'phases:',
    '  - id: p',
    '    steps:',
    '      - id: greet',
    '        title: Run a zx script from a steps folder outside the checkout',
    '        script: ops/greet.mjs',
    '        args: [--greeting, hello, world]',
    '        env:',
    '          API_TOKEN: "{{ secrets.token }}"',
    '',
  ].join('\n');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-zx-'));
  mkdirSync(join(dir, 'steps', 'ops'), { recursive: true });
  writeFileSync(join(dir, 'steps', 'ops', 'greet.mjs'), SCRIPT);
  writeFileSync(join(dir, 'runbook.yaml'), runbook());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a script step runs with zx wherever its steps folder lives', () => {
  it('imports zx, uses $ and the zx globals, and gets its secret only in its environment', async () => {
    const logs = join(dir, 'logs');
    const r = await execa('node', [BIN, 'run', 'runbook.yaml', '--yes', '--logs', logs], {
      cwd: dir,
      env: { NO_COLOR: '1', ZX_TEST_TOKEN: TOKEN },
      reject: false,
      timeout: 60_000,
    });
    expect(r.stderr).not.toContain("Cannot find package 'zx'");
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(readFileSync(join(dir, 'effect.txt'), 'utf8')).toBe('hello\nworld\n');
    expect(readFileSync(join(dir, 'globals.txt'), 'utf8')).toBe('function function function');
    expect(readFileSync(join(dir, 'token.len'), 'utf8')).toBe(String(TOKEN.length));
    const cmdline = readFileSync(join(dir, 'cmdline.txt'), 'utf8').split('\0');
    expect(cmdline).toContain(join(dir, 'steps', 'ops', 'greet.mjs'));
    expect(cmdline.join(' ')).not.toContain(TOKEN);
    const [runId] = readdirSync(logs).filter((name) => !name.startsWith('.'));
    const journal = readFileSync(join(logs, runId!, 'events.jsonl'), 'utf8');
    expect(journal).toContain('token is [secret:token]');
    expect(journal).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('without the zx runner, the same script cannot find zx: the runner is what makes it work', async () => {
    const script = join(dir, 'steps', 'ops', 'greet.mjs');
    const plain = await execa(process.execPath, [script, 'world'], { cwd: dir, reject: false });
    expect(plain.stderr).toContain("Cannot find package 'zx'");
    const [node, ...rest] = zxScriptRunner();
    const withZx = await execa(node!, [...rest, script, '--greeting', 'hi', 'there'], { cwd: dir, reject: false, env: { API_TOKEN: 'x' } });
    expect(withZx.exitCode, withZx.stderr).toBe(0);
    expect(readFileSync(join(dir, 'effect.txt'), 'utf8')).toBe('hi\nthere\n');
  });
});
