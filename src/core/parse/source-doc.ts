// Two parsers, measured (bench/RESULTS.md, "Why two YAML parsers"): js-yaml reads values 7 to 14
// times faster than the yaml package, whose parse alone would break the validate+plan 5k and the
// broken 3 MB targets. The yaml package keeps positions, needed only to point at problems.
import jsYaml from 'js-yaml';
import { type Document, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Problem, SourcePosition } from '../model/problem.js';
import { FastPositions } from './fast-positions.js';
import { MAX_ALIAS_GROWTH, MAX_NESTING, measureTree, nestingTooDeep, type ShapeLimit, valueChildren } from './yaml-limits.js';
import type { YamlPath } from './yaml-path.js';

/** A file's path and text, as read by an adapter. */
export interface SourceFile {
  path: string;
  text: string;
  /** Why the text cannot be trusted (bytes that are not UTF-8), found while reading it. */
  problem?: Problem;
}

/** A parsed YAML file that can say where any of its values stands. */
export interface SourceDoc {
  file: string;
  text: string;
  /** Positions found without the position-keeping parse, where they can be (block style, no aliases). */
  readonly fast?: FastPositions;
  /** The position-keeping parse, made only when a position is first asked for. */
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/**
 * A source whose position-keeping parse is deferred: js-yaml reads values about ten times
 * faster than the yaml package, whose node ranges are needed only to point at problems.
 */
function lazySource(source: SourceFile, fast?: FastPositions): SourceDoc {
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  const parse = () => (parsed ??= parseWithPositions(source.text));
  return {
    file: source.path,
    text: source.text,
    fast,
    get doc() {
      return parse().doc;
    },
    get lines() {
      return parse().lines;
    },
  };
}

function parseWithPositions(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

/** Parses YAML into a value; syntax errors and an empty file become positioned problems. */
export function parseSource(source: SourceFile, what = 'a runbook'): { source?: SourceDoc; value?: unknown; problems: Problem[] } {
  const empty: Problem = { file: source.path, line: 1, column: 1, path: '', message: 'the file is empty', expected: what, received: 'no content' };
  if (source.problem) return { problems: [source.problem] };
  if (source.text.trim() === '') return { problems: [empty] };
  // A NUL cannot reach a shell or a command line: a value holding one would be cut short there.
  const nul = source.text.indexOf('\0');
  if (nul >= 0) return { problems: [nulProblem(source, nul, 'the file holds a NUL byte', 'a NUL byte')] };
  // Refused before parsing: a parser recurses once per level of nesting.
  const deep = nestingTooDeep(source.text);
  if (deep) return { problems: [tooDeep(source, deep.offset)] };
  let value: unknown;
  // Where each map and list opens, noted while loading: enough to point at most values without a second parse.
  const opened = new Map<object, number>();
  const openAt: number[] = [];
  const listener = (event: 'open' | 'close', state: { position: number; result: unknown }) => {
    if (event === 'open') openAt.push(state.position);
    else {
      const at = openAt.pop()!;
      if (typeof state.result === 'object' && state.result !== null) opened.set(state.result, at);
    }
  };
  try {
    value = jsYaml.load(source.text, { filename: source.path, schema: jsYaml.CORE_SCHEMA, listener } as jsYaml.LoadOptions);
  } catch (error) {
    if (error instanceof RangeError) return { problems: [tooDeep(source, 0)] };
    return { problems: syntaxProblems(source, error as jsYaml.YAMLException) };
  }
  if (value === undefined || value === null) return { problems: [{ ...empty, received: 'only comments or null' }] };
  // Aliases share one value among many places: every later walk would expand them, so they are measured first.
  const shares = MAY_ALIAS.test(source.text) && MAY_ANCHOR.test(source.text);
  if (shares) {
    const shape = measureTree(value, valueChildren);
    if (shape.stopped) return { problems: [aliasProblem(source, shape.stopped)] };
  }
  const nulEscape = NUL_ESCAPE.exec(source.text);
  if (nulEscape && holdsNul(value))
    return { problems: [nulProblem(source, nulEscape.index + nulEscape[0].lastIndexOf('\\'), `the escape ${nulEscape[1]} makes a NUL character`, `the escape ${nulEscape[1]}`)] };
  // A shared value opens in one place but stands in several: only the full parse can tell which.
  return { source: lazySource(source, shares ? undefined : new FastPositions(source.text, value, opened)), value, problems: [] };
}

// Without an anchor (&name) and an alias (*name) at the start of some value, a file shares no value.
const MAY_ANCHOR = /(?:^|[\s[{,:])&[^\s[\]{},&]/m;
const MAY_ALIAS = /(?:^|[\s[{,:])\*[^\s[\]{},]/m;

// An escape that a double-quoted scalar turns into a NUL character (an even run of backslashes before it escapes nothing).
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*(\\(?:0|x00|u0000|U00000000))/;

/** Whether any string of a loaded value (a key or a value) holds a NUL character. */
function holdsNul(value: unknown): boolean {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (next.includes('\0')) return true;
    } else if (typeof next === 'object' && next !== null && !seen.has(next)) {
      seen.add(next);
      if (Array.isArray(next)) pending.push(...next);
      else for (const [key, item] of Object.entries(next)) pending.push(key, item);
    }
  }
  return false;
}

function nulProblem(source: SourceFile, offset: number, message: string, what: string): Problem {
  return {
    file: source.path,
    ...textPosition(source.text, offset),
    path: '',
    message,
    expected: 'text without NUL characters',
    received: what,
    hint: 'a NUL cannot be passed to a shell or on a command line, so a value holding one would be cut short: remove it',
  };
}

/** The line and column of a character offset, counted without a parse. */
function textPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function tooDeep(source: SourceFile, offset: number): Problem {
  return {
    file: source.path,
    ...textPosition(source.text, offset),
    path: '',
    message: `invalid YAML: maps and lists nested more than ${MAX_NESTING} levels deep`,
    expected: `at most ${MAX_NESTING} levels of nested maps and lists`,
    received: 'deeper nesting from here on',
    hint: 'a runbook nests a handful of levels: look for brackets [ { that are never closed, or indentation that keeps growing',
  };
}

/** Refuses aliases that cannot be expanded (a cycle) or would expand to too much, at the alias that does it. */
function aliasProblem(source: SourceFile, stopped: ShapeLimit): Problem {
  // The text is known to nest shallowly here, so the position-keeping parse is safe; it never expands aliases itself.
  const { doc, lines } = parseWithPositions(source.text);
  const anchors = new Map<string, unknown>();
  const shape = measureTree(doc.contents, (node) => {
    if (!isNode(node)) return undefined;
    if (node.anchor && !isAlias(node)) anchors.set(node.anchor, node);
    if (isAlias(node)) return anchors.has(node.source) ? [anchors.get(node.source)] : [];
    if (isSeq(node)) return node.items;
    if (isMap(node)) return node.items.flatMap((pair) => (isPair(pair) ? [pair.key, pair.value] : []));
    return undefined;
  });
  const alias = (shape.stopped ? shape.path : []).find((node) => isAlias(node)) as Node | undefined;
  const at = lines.linePos(alias?.range?.[0] ?? 0);
  const why = shape.stopped ?? stopped;
  return {
    file: source.path,
    line: at.line,
    column: at.col,
    path: '',
    message:
      why === 'cycle'
        ? 'invalid YAML: an alias refers to the map or list it is part of'
        : why === 'depth'
          ? `invalid YAML: aliases nest maps and lists more than ${MAX_NESTING} levels deep`
          : `invalid YAML: aliases expand to more than ${MAX_ALIAS_GROWTH.toLocaleString('en')} values`,
    expected: why === 'cycle' ? 'an alias (*name) used outside the value its anchor (&name) marks' : 'aliases (*name) that repeat a value a few times',
    received: alias ? `*${(alias as unknown as { source: string }).source}` : 'aliases that expand without end',
    hint: 'write the values out, or use fewer levels of aliases to aliases',
  };
}

/** Reports syntax errors with the yaml package's positions and wording, falling back to js-yaml's. */
function syntaxProblems(source: SourceFile, fallback: jsYaml.YAMLException): Problem[] {
  const { doc, lines } = parseWithPositions(source.text);
  if (doc.errors.length === 0) {
    const mark = fallback.mark;
    return [{ file: source.path, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1, path: '', message: `YAML syntax error: ${fallback.reason}` }];
  }
  // One tab or one unclosed quote makes the parser trip over everything after it: report the cause.
  const tabs = doc.errors.filter((e) => e.code === 'TAB_AS_INDENT');
  const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const firstOther = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const errors = tabs.length ? tabs : [...duplicates, ...(firstOther ? [firstOther] : [])].sort((a, b) => a.pos[0] - b.pos[0]);
  return errors.map((error) => {
    const message = firstLine(error.message);
    const opening = openingOf(source.text, error.pos[0], message);
    const at = lines.linePos(opening?.offset ?? error.pos[0]);
    const multiple = message.startsWith('Source contains multiple documents');
    return {
      file: source.path,
      line: at.line,
      column: at.col,
      path: '',
      message: multiple ? 'YAML syntax error: a second YAML document starts here' : `YAML syntax error: ${message}`,
      hint: multiple ? 'a runbook is one document: remove the `---` and what follows, or move it to a file of its own' : (opening?.hint ?? yamlHint(error.code)),
    };
  });
}

/** For an unclosed quote or bracket, where it was opened: the parser only notices at the end. */
function openingOf(text: string, pos: number, message: string): { offset: number; hint: string } | undefined {
  const quote = /Missing closing (["'])quote/.exec(message)?.[1];
  if (quote) {
    const offset = text.lastIndexOf(quote, pos - 1);
    return offset >= 0 ? { offset, hint: `close the quote with ${quote} on the same value` } : undefined;
  }
  const bracket = /end with a ([\]}])/.exec(message)?.[1];
  if (bracket) {
    const open = bracket === ']' ? '[' : '{';
    let depth = 0;
    for (let i = Math.min(pos, text.length) - 1; i >= 0; i--) {
      if (text[i] === bracket) depth++;
      else if (text[i] === open && depth-- === 0) return { offset: i, hint: `close the \`${open}\` with \`${bracket}\`` };
    }
  }
  return undefined;
}

/** Formats a YAML path as phases[1].steps[0].run. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

/** The position of the value at `path` (or of its key, when `key` is set), falling back to the nearest parent. */
export function positionOf(source: SourceDoc, path: YamlPath, key = false): SourcePosition {
  const fast = source.fast?.valueOffset(path, key);
  if (fast !== undefined) return fastPosition(source, fast);
  let node: unknown = source.doc.contents;
  let keyNode: Node | undefined;
  let best: Node | undefined = node as Node;
  for (const part of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else break;
    if (node && (node as Node).range) best = node as Node;
    else if (keyNode) best = keyNode;
  }
  const target = key && keyNode?.range ? keyNode : best;
  return offsetPosition(source, target?.range?.[0] ?? 0);
}

function fastPosition(source: SourceDoc, offset: number): SourcePosition {
  const at = source.fast!.linePos(offset);
  return { file: source.file, line: at.line, column: at.col };
}

/** The position of a character offset. */
export function offsetPosition(source: SourceDoc, offset: number): SourcePosition {
  const at = source.lines.linePos(offset);
  return { file: source.file, line: at.line, column: at.col };
}

/** The position of `needle` inside the scalar at `path`, when it can be found in the raw source. */
export function positionInValue(source: SourceDoc, path: YamlPath, needle: string, occurrence = 0): SourcePosition {
  const fast = source.fast?.needleOffset(path, needle, occurrence);
  if (fast !== undefined) return fastPosition(source, fast);
  const node = source.doc.getIn(path, true) as Node | undefined;
  const range = node?.range;
  if (range) {
    const raw = source.text.slice(range[0], range[1]);
    let from = -1;
    for (let i = 0; i <= occurrence; i++) {
      from = raw.indexOf(needle, from + 1);
      if (from < 0) break;
    }
    if (from >= 0) return offsetPosition(source, range[0] + from);
  }
  return positionOf(source, path);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a map; remove or rename one';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation of this line against the lines above: keys of one map line up';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a value containing ": " must be quoted';
    default:
      return undefined;
  }
}
