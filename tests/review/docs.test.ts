// `lifeboat docs FILE`: the runbook as a Markdown restore document whose Mermaid block parses.
// The commands go through the CLI's entry point in this process (tests/helpers/cli-in-process.ts:
// the same parsing, output and exit code): docs, graph and plan only read files and print.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { parseMermaid } from '../helpers/mermaid.js';

const HOMELAB = join(ROOT, 'runbooks/homelab.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'lifeboat-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface PlanJson {
  name: string;
  phases: Array<{ id: string; number: number; title: string; steps: Array<{ id: string; position: string; kind: string; command?: string; instructions?: string }> }>;
}

describe('lifeboat docs', () => {
  it('renders runbooks/homelab.yaml: overview, a Mermaid restore order that parses, every phase and step', async () => {
    const result = await lifeboatInProcess(['docs', HOMELAB]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const md = result.stdout;
    const blocks = [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    await expect(parseMermaid(blocks[0]!)).resolves.toBeUndefined();
    // The same diagram as `lifeboat graph`: one renderer for both.
    expect(blocks[0]).toBe((await lifeboatInProcess(['graph', HOMELAB, '--format', 'mermaid'])).stdout);

    const plan = JSON.parse((await lifeboatInProcess(['plan', HOMELAB, '--json'], { env: { LIFEBOAT_LOGS: join(tmp, 'none') } })).stdout) as PlanJson;
    expect(md).toMatch(/^# Restore: homelab-restore$/m);
    expect(md).toContain('## Overview');
    expect(md).toContain('| Recovery time objective (RTO) | 2h |');
    expect(md).toContain('## Restore order');
    for (const phase of plan.phases) {
      expect(md).toContain(`\n## ${phase.number}. ${phase.title}\n`);
      for (const step of phase.steps) {
        expect(md, step.id).toContain(`\`${step.id}\``);
        expect(md, step.id).toMatch(new RegExp(`^### ${step.position.replace('.', '\\.')} `, 'm'));
        if (step.command) expect(md, step.id).toContain(`\`\`\`bash\n${step.command.replace(/\n$/, '')}\n\`\`\``);
        if (step.instructions) expect(md, step.id).toContain(`> ${step.instructions.trim().split('\n')[0]}`);
      }
    }
  });

  it('never shows a secret value: secrets appear by name', async () => {
    const md = (await lifeboatInProcess(['docs', HOMELAB], { env: { LIFEBOAT_ZFS_KEY: 'hunter2-do-not-print' } })).stdout;
    expect(md).toContain('[secret:zfs_key]');
    expect(md).not.toContain('hunter2-do-not-print');
    expect(md).toContain('| zfs_key | env LIFEBOAT_ZFS_KEY |');
  });

  it('--out writes the same Markdown to a file', async () => {
    const out = join(tmp, 'homelab.md');
    const result = await lifeboatInProcess(['docs', HOMELAB, '--out', out]);
    expect(result.code).toBe(0);
    // (execa drops the last newline of stdout.)
    expect(result.stdout).toBe(`Wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(`${(await lifeboatInProcess(['docs', HOMELAB])).stdout}\n`);
  });

  it('keeps markup in titles as text and fences commands that contain backticks', async () => {
    const file = join(tmp, 'tricky.yaml');
    writeFileSync(
      file,
      [
        'format: 1',
        'name: tricky',
        'phases:',
        '  - id: p',
        '    title: Phase with <i>markup</i> | pipes',
        '    steps:',
        '      - id: fence',
        '        title: A *star* and <img src=x>',
        '        run: |',
        "          printf '```\\n'",
        '          echo done',
        '',
      ].join('\n'),
    );
    const result = await lifeboatInProcess(['docs', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('## 1. Phase with &lt;i&gt;markup&lt;/i&gt; \\| pipes');
    expect(result.stdout).toContain('### 1.1 A \\*star\\* and &lt;img src=x&gt;');
    expect(result.stdout).toContain("````bash\nprintf '```\\n'\necho done\n````");
    await expect(parseMermaid(result.stdout.match(/^```mermaid\n([\s\S]*?)\n```$/m)![1]!)).resolves.toBeUndefined();
  });

  it('an invalid runbook is an input error: exit 2, no stack trace', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'name: bad\nphases: []\n');
    const result = await lifeboatInProcess(['docs', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
