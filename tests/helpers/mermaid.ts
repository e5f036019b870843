// Validates Mermaid text with Mermaid's own parser: `mermaid.parse()` from the `mermaid` package
// (devDependency, 11.x: the last line whose engines allow Node 20), which runs the real jison
// flowchart grammar plus the flowchart DB's checks. Works offline, in vitest's default `node`
// environment.
//
// Why jsdom: mermaid bundles DOMPurify, which binds to `globalThis.window` once, when its module is
// evaluated. Without a window it comes up half-built (no `addHook`) and every node with a label
// fails with "TypeError: DOMPurify.addHook is not a function". So a jsdom window is put on
// `globalThis.window` only while `import('mermaid')` evaluates, then the global is restored;
// parsing needs no globals. jsdom is loaded with `require` on purpose: @types/jsdom would pull
// lib.dom into the whole typecheck program (tsconfig includes tests/).
//
// Escaping rules for a quoted node or subgraph label, `id["..."]` (checked in mermaid.test.ts):
//   - `"` can't appear raw: it ends the string, so the line fails to parse. Backslash doesn't
//     escape it (`\"` fails too). Write `#quot;` (or `#34;`).
//   - `#word;` and `#123;` are entity codes, decoded when the diagram is drawn. To show a
//     literal `#` that's followed by word characters and `;`, write it as `#35;`. A `#` on its
//     own (e.g. "issue #12") is fine.
//   - A label that starts with a backtick is a Markdown string and must be exactly "`...`".
//     Write a leading backtick as `#96;`. Backticks later in the label are fine.
//   - The label can't be empty: `a[""]` is a parse error. Leave the label off instead (`a`).
//   - Everything else parses raw: spaces . ( ) [ ] { } | : ; % ' \ & < >, unicode, even
//     newlines. But labels are drawn as sanitized HTML, so write `#lt;` `#gt;` `#amp;` for a
//     literal < > &.
// Node ids (unquoted): stick to [A-Za-z0-9_]. These exact ids fail: `end`, `graph`, `flowchart`,
// `subgraph`, `class`, `classDef`, `style`, `linkStyle`, `interpolate`. `click`, `call` and
// `href` also fail as edge targets. Case and affixes make them safe: `End`, `end_`, `zfs__end`.
import { createRequire } from 'node:module';
import type { Mermaid } from 'mermaid';

interface JsdomModule {
  JSDOM: new (html?: string) => { window: object };
}

let mermaidPromise: Promise<Mermaid> | undefined;

async function loadMermaid(): Promise<Mermaid> {
  const g = globalThis as { window?: { document?: unknown } };
  if (typeof g.window?.document === 'object') {
    // A DOM is already there (e.g. a jsdom vitest environment), so DOMPurify can use it.
    return (await import('mermaid')).default;
  }
  const hadWindow = Object.hasOwn(globalThis, 'window');
  const previous = g.window;
  const { JSDOM } = createRequire(import.meta.url)('jsdom') as JsdomModule;
  g.window = new JSDOM('').window;
  try {
    return (await import('mermaid')).default;
  } finally {
    if (hadWindow) g.window = previous;
    else delete g.window;
  }
}

/** Resolves if `text` is valid Mermaid according to the real Mermaid parser, and rejects with the parser's error (message like "Parse error on line 3: …") if not. */
export async function parseMermaid(text: string): Promise<void> {
  mermaidPromise ??= loadMermaid();
  const mermaid = await mermaidPromise;
  // Without `suppressErrors`, parse() throws the parser's own Error instead of returning false.
  await mermaid.parse(text);
}
