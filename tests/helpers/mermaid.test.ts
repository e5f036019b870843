import { describe, expect, it } from 'vitest';
import { parseMermaid } from './mermaid.js';

// Every rejection must come from Mermaid's grammar itself, not from a broken environment
// (e.g. a TypeError from a DOMPurify without a window), so match the parser's messages.
const PARSER_ERROR = /^(Parse error on line \d+|Lexical error on line \d+)/;

const flowchart = (...lines: string[]): string => ['flowchart TD', ...lines].join('\n');
const labelled = (label: string): string => flowchart(`  a["${label}"]`);

describe('parseMermaid', () => {
  it('accepts a flowchart shaped like `lifeboat graph --format mermaid` output', async () => {
    const text = flowchart(
      '  network["Network"]',
      '  dns["DNS"]',
      '  network --> dns',
      '  subgraph zfs["ZFS"]',
      '    zfs__import_pool["4.1 Import pool (tank) v1.2"]',
      '    zfs__scrub["4.2 Scrub pool, then check (zpool status -x)"]',
      '    zfs__import_pool --> zfs__scrub',
      '  end',
      '  subgraph media["Media server (Jellyfin 10.9)"]',
      '    subgraph media__nested["Nested: restore.v2"]',
      '      media__restore["5.1 Restore #quot;library#quot; from backup"]',
      '    end',
      '  end',
      '  dns --> zfs__import_pool',
      '  zfs__scrub --> media__restore',
      '  classDef done fill:#9f9,stroke:#333,stroke-width:2px',
      '  classDef failed fill:#f99',
      '  class network,dns done',
      '  class zfs__scrub failed',
      '',
    );
    await expect(parseMermaid(text)).resolves.toBeUndefined();
  });

  it('accepts the `graph` keyword and every direction', async () => {
    for (const dir of ['TD', 'TB', 'BT', 'LR', 'RL']) {
      await expect(parseMermaid(`graph ${dir}\n  a --> b`)).resolves.toBeUndefined();
      await expect(parseMermaid(`flowchart ${dir}\n  a --> b`)).resolves.toBeUndefined();
    }
  });

  describe('rejects invalid input with the parser error message', () => {
    it('an edge with no target', async () => {
      await expect(parseMermaid('flowchart TD\n  a --> ')).rejects.toThrow(/^Parse error on line 3:[\s\S]*got 'EOF'/);
    });

    it('a subgraph without `end`', async () => {
      await expect(parseMermaid(flowchart('  subgraph zfs["ZFS"]', '    zfs__import_pool["4.1 Import pool"]'))).rejects.toThrow(PARSER_ERROR);
    });

    it('an `end` with no subgraph', async () => {
      await expect(parseMermaid(flowchart('  a["A"]', '  end'))).rejects.toThrow(PARSER_ERROR);
    });

    it('an unescaped `"` inside a quoted label', async () => {
      await expect(parseMermaid(labelled('say "hi" now'))).rejects.toThrow(/^Parse error on line 2:[\s\S]*got 'STR'/);
    });

    it('an unescaped `"` inside a quoted subgraph title', async () => {
      await expect(parseMermaid(flowchart('  subgraph s["a "b" c"]', '    a', '  end'))).rejects.toThrow(PARSER_ERROR);
    });

    it('stray tokens after an edge', async () => {
      await expect(parseMermaid(flowchart('  a --> b c d'))).rejects.toThrow(PARSER_ERROR);
    });

    it('an unknown direction', async () => {
      await expect(parseMermaid('flowchart XY\n  a')).rejects.toThrow(PARSER_ERROR);
    });

    it('text that is no diagram at all', async () => {
      await expect(parseMermaid('not a diagram')).rejects.toThrow(/No diagram type detected/);
      await expect(parseMermaid('')).rejects.toThrow(/No diagram type detected/);
    });
  });

  // The rules our generator must follow; they are listed in the comment at the top of mermaid.ts.
  describe('escaping inside a quoted label', () => {
    it('`"` must be written #quot; or #34;, since backslash does not escape it', async () => {
      await expect(parseMermaid(labelled('say #quot;hi#quot; now'))).resolves.toBeUndefined();
      await expect(parseMermaid(labelled('say #34;hi#34; now'))).resolves.toBeUndefined();
      await expect(parseMermaid(labelled('say \\"hi\\" now'))).rejects.toThrow(PARSER_ERROR);
      await expect(parseMermaid(labelled('trailing"'))).rejects.toThrow(PARSER_ERROR);
      await expect(parseMermaid(flowchart('  subgraph s["a #quot;b#quot; c"]', '    a', '  end'))).resolves.toBeUndefined();
    });

    it('a leading backtick must be written #96; (otherwise it opens a Markdown string)', async () => {
      await expect(parseMermaid(labelled('`a b'))).rejects.toThrow(PARSER_ERROR);
      await expect(parseMermaid(labelled('`md` b'))).rejects.toThrow(PARSER_ERROR);
      await expect(parseMermaid(labelled('#96;a b'))).resolves.toBeUndefined();
      await expect(parseMermaid(labelled('a `b` c'))).resolves.toBeUndefined();
      await expect(parseMermaid(labelled('`**a real markdown label**`'))).resolves.toBeUndefined();
    });

    it('a label must not be empty', async () => {
      await expect(parseMermaid(labelled(''))).rejects.toThrow(PARSER_ERROR);
      await expect(parseMermaid(flowchart('  a'))).resolves.toBeUndefined();
    });

    it('other punctuation, entity codes, HTML and unicode parse as they are', async () => {
      for (const label of [
        '4.1 Import pool (tank)',
        "x [y] {z} |p| a: b; c 100% it's",
        'C:\\\\backups\\\\tank',
        'a < b > c & d',
        '#lt;b#gt; #amp; #35;tag; issue #12',
        'line1<br/>line2',
        'zpool → ok ✓ ü',
        'a --> b',
        'end',
      ]) {
        await expect(parseMermaid(labelled(label)), label).resolves.toBeUndefined();
      }
    });
  });

  describe('node ids', () => {
    it('reserved words fail as bare ids', async () => {
      for (const id of ['end', 'graph', 'subgraph', 'class', 'classDef', 'style', 'linkStyle']) {
        await expect(parseMermaid(flowchart(`  ${id}["x"]`)), id).rejects.toThrow(PARSER_ERROR);
      }
      for (const id of ['click', 'call', 'href']) {
        await expect(parseMermaid(flowchart(`  q --> ${id}`)), id).rejects.toThrow(PARSER_ERROR);
      }
    });

    it('prefixed, suffixed or differently cased keywords are fine', async () => {
      for (const id of ['zfs__end', 'end_', 'End', 'graph1', 'zfs__import_pool', '4_1']) {
        await expect(parseMermaid(flowchart(`  ${id}["x"]`, `  a --> ${id}`)), id).resolves.toBeUndefined();
      }
    });
  });

  it('does not leave a global window behind', async () => {
    await parseMermaid(flowchart('  a["A"]'));
    expect('window' in globalThis).toBe(false);
  });
});
