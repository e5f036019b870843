import { shellQuote } from './shell-quote.js';

/** A piece of an interpolated value: plain text, or a secret known only by name until run time. */
export type Piece = { text: string } | { secret: string };

/** A piece of rendered text: literal source text, or an interpolated value (shell-quoted in commands). */
export type Segment = { raw: string } | { value: Piece[]; quote: boolean };

/** Text after interpolation, with secrets still unresolved so a plan can never hold their values. */
export type Rendered = Segment[];

/** How a secret is written wherever it would otherwise be shown. */
export function secretMask(name: string): string {
  return `[secret:${name}]`;
}

/** Joins value pieces, revealing secrets through `secretValue`. */
export function joinPieces(pieces: readonly Piece[], secretValue: (name: string) => string): string {
  let out = '';
  for (const piece of pieces) out += 'text' in piece ? piece.text : secretValue(piece.secret);
  return out;
}

/** Produces the final text, revealing secrets through `secretValue` and quoting values where asked. */
export function renderText(rendered: Rendered, secretValue: (name: string) => string): string {
  let out = '';
  for (const segment of rendered) {
    if ('raw' in segment) out += segment.raw;
    else {
      const value = joinPieces(segment.value, secretValue);
      out += segment.quote ? shellQuote(value) : value;
    }
  }
  return out;
}

/** The text as shown on screen and in plans: secrets masked as [secret:NAME]. */
export function displayText(rendered: Rendered): string {
  return renderText(rendered, secretMask);
}

/** Names of the secrets a rendered text needs. */
export function secretsIn(rendered: Rendered): string[] {
  const names = new Set<string>();
  for (const segment of rendered) {
    if ('value' in segment) for (const piece of segment.value) if ('secret' in piece) names.add(piece.secret);
  }
  return [...names];
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

/** The environment variable a secret travels in, so its value never appears on a command line. */
export function secretEnvName(name: string): string {
  return `LIFEBOAT_SECRET_${name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}`;
}

/** Renders shell text for execution: values quoted, secrets as "${LIFEBOAT_SECRET_X}" references. */
export function renderShell(rendered: Rendered): { script: string; secrets: string[] } {
  let script = '';
  const secrets = new Set<string>();
  for (const segment of rendered) {
    if ('raw' in segment) {
      script += segment.raw;
      continue;
    }
    const hasSecret = segment.value.some((p) => 'secret' in p);
    if (!hasSecret) {
      const text = joinPieces(segment.value, () => '');
      script += segment.quote ? shellQuote(text) : text;
      continue;
    }
    let word = '';
    for (const piece of segment.value) {
      if ('secret' in piece) {
        secrets.add(piece.secret);
        word += `"\${${secretEnvName(piece.secret)}}"`;
      } else if (piece.text !== '') word += shellQuote(piece.text);
    }
    script += word;
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

