import type { ShellContext } from './shell-context.js';
import { shellQuote } from './shell-quote.js';

/** A value another step captures: `{{ steps.STEP.NAME.PATH… }}`, known only once that step ran. */
export interface CaptureRef {
  step: string;
  name: string;
  /** Keys (and list indexes) into a captured JSON value. */
  path: string[];
}

/**
 * A piece of an interpolated value: plain text, a secret known only by name until run time, or
 * a captured value known only once the step that captures it ran.
 */
export type Piece = { text: string } | { secret: string } | { capture: CaptureRef } | { item: ItemRef };

/** The current item of a `foreach` step (`{{ item }}`, `{{ item.vmid }}`), known only when that item runs. */
export interface ItemRef {
  /** The name it goes by (`as:`, default `item`). */
  as: string;
  path: string[];
}

/** True for a piece whose value is known only at run time: a capture or a `foreach` item. */
export function isDeferred(piece: Piece): piece is { capture: CaptureRef } | { item: ItemRef } {
  return 'capture' in piece || 'item' in piece;
}

/** How a reference to an item is written: as in the runbook. */
export function itemReference(ref: ItemRef): string {
  return `{{ ${[ref.as, ...ref.path].join('.')} }}`;
}

/**
 * Where a value that is not known yet will stand in bash syntax, for the checks its value must
 * pass once known: a here-document's delimiter, and the variable arithmetic would read it through.
 */
export interface SpotFacts {
  delimiter?: string;
  reachesArithmetic?: string;
}

/** How a value is escaped where it is placed: as-is, for a spot in bash syntax, or inside a regular expression. */
export type ValueContext = 'plain' | 'regex' | ShellContext;

/**
 * A piece of rendered text: literal source text, or an interpolated value escaped for where it
 * stands (`spot`: set when the value holds a capture, whose checks wait until it is known).
 */
export type Segment = { raw: string } | { value: Piece[]; quote: ValueContext; spot?: SpotFacts };

/** Text after interpolation, with secrets still unresolved so a plan can never hold their values. */
export type Rendered = Segment[];

/** How a secret is written wherever it would otherwise be shown. */
export function secretMask(name: string): string {
  return `[secret:${name}]`;
}

/** Escapes a value so that, placed in `context`, it stands for exactly itself and never for code. */
export function escapeValue(value: string, context: ValueContext): string {
  switch (context) {
    case 'plain':
      return value;
    case 'regex':
      return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    case 'word':
      return shellQuote(value);
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'double':
      return value.replace(/[\\"$`]/g, '\\$&');
    case 'heredoc':
      return value.replace(/[\\$`]/g, '\\$&');
    case 'comment':
    case 'arith':
      // Interpolation lets only a one-line value into a comment and only a plain integer into arithmetic.
      return value;
    case 'heredoc-literal':
    case 'unknown':
      // Interpolation refuses these places; quoting as a word is the safest fallback.
      return shellQuote(value);
  }
}

/** How a reference to a capture is written: as in the runbook. */
export function captureReference(ref: CaptureRef): string {
  return `{{ steps.${[ref.step, ref.name, ...ref.path].join('.')} }}`;
}

/** Joins value pieces, revealing secrets through `secretValue`; a capture not known yet reads as its reference. */
export function joinPieces(pieces: readonly Piece[], secretValue: (name: string) => string): string {
  let out = '';
  for (const piece of pieces) out += 'text' in piece ? piece.text : 'secret' in piece ? secretValue(piece.secret) : 'capture' in piece ? captureReference(piece.capture) : itemReference(piece.item);
  return out;
}

/** The captures a rendered text refers to. */
export function capturesIn(rendered: Rendered): CaptureRef[] {
  const refs: CaptureRef[] = [];
  for (const segment of rendered) if ('value' in segment) for (const piece of segment.value) if ('capture' in piece) refs.push(piece.capture);
  return refs;
}

/** Produces the final text, revealing secrets through `secretValue` and escaping each value for its place. */
export function renderText(rendered: Rendered, secretValue: (name: string) => string): string {
  let out = '';
  for (const segment of rendered) {
    out += 'raw' in segment ? segment.raw : escapeValue(joinPieces(segment.value, secretValue), segment.quote);
  }
  return out;
}

/** The text as shown on screen and in plans: secrets masked as [secret:NAME]. */
export function displayText(rendered: Rendered): string {
  return renderText(rendered, secretMask);
}

/** Flattens rendered text into value pieces (for values passed on, such as template parameters). */
export function toPieces(rendered: Rendered): Piece[] {
  const pieces: Piece[] = [];
  for (const segment of rendered) {
    if ('raw' in segment) pieces.push({ text: segment.raw });
    else pieces.push(...segment.value);
  }
  return pieces;
}

/** Wraps a literal string as rendered text. */
export function literal(text: string): Rendered {
  return [{ raw: text }];
}

/**
 * The environment variable a secret travels in, so its value never appears on a command
 * line. The name is encoded one-to-one (`_` as `__`, `-` as `_0`, `.` as `_1`), so two secrets never share one.
 */
export function secretEnvName(name: string): string {
  return `LIFEBOAT_SECRET_${name.replace(/_/g, '__').replace(/-/g, '_0').replace(/\./g, '_1')}`;
}

/** How a secret's environment variable is referenced from each place in bash syntax. */
function secretReference(name: string, context: ValueContext): string {
  const variable = `\${${secretEnvName(name)}}`;
  switch (context) {
    case 'word':
      return `"${variable}"`;
    case 'single':
      return `'"${variable}"'`;
    default:
      return variable;
  }
}

/** Renders shell text for execution: values escaped for their place, secrets as references to environment variables. */
export function renderShell(rendered: Rendered): { script: string; secrets: string[] } {
  let script = '';
  const secrets = new Set<string>();
  for (const segment of rendered) {
    if ('raw' in segment) {
      script += segment.raw;
      continue;
    }
    // An empty value stays an (empty) argument, exactly as the plan shows it.
    if (segment.value.every((p) => 'text' in p && p.text === '')) {
      script += escapeValue('', segment.quote);
      continue;
    }
    for (const piece of segment.value) {
      if (isDeferred(piece)) {
        // The engine binds captures and items before it runs anything: one left here is a bug, not a value to guess.
        throw new Error(`${'capture' in piece ? captureReference(piece.capture) : itemReference(piece.item)} was not bound before the command was rendered`);
      }
      if ('secret' in piece) {
        secrets.add(piece.secret);
        script += secretReference(piece.secret, segment.quote);
      } else if (piece.text !== '') {
        script += escapeValue(piece.text, segment.quote);
      }
    }
  }
  return { script, secrets: [...secrets] };
}

/** Reveals secrets in non-shell text. */
export function revealWith(secrets: ReadonlyMap<string, string>): (rendered: Rendered) => string {
  return (rendered) => renderText(rendered, (name) => secrets.get(name) ?? '');
}

/** The environment that carries the named secrets to a command. */
export function secretEnvFor(secrets: ReadonlyMap<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [secretEnvName(n), secrets.get(n) ?? '']));
}
