import { isDeferred, type Piece, type Rendered, type Segment, type SpotFacts, type ValueContext } from '../shell/rendered.js';
import { type ShellSpot, shellSpots } from '../shell/shell-context.js';
import { didYouMean } from '../validate/suggest.js';

/** What a `{{ ... }}` reference may name, in the place where it is written. */
export interface Scope {
  vars: ReadonlyMap<string, Piece[]>;
  /** Present only inside a step template. */
  params?: ReadonlyMap<string, Piece[]>;
  secrets: ReadonlySet<string>;
  hosts: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The names each step captures (an ask step's `answer` included), by step id. */
  steps?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Inside a `foreach` step: the name its items go by. */
  item?: string;
}

/** A reference that could not be resolved, with where it stands in the text. */
export interface ReferenceError {
  /** The reference as written, e.g. `{{ vars.pol }}`. */
  reference: string;
  /** Offset of the reference in the text. */
  index: number;
  message: string;
  expected: string;
  hint?: string;
}

export const HOST_FIELDS = ['name', 'ssh', 'user', 'address', 'port'] as const;
const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Reports whether a text contains any `{{ ... }}` reference. */
export function hasReferences(text: string): boolean {
  return text.includes('{{');
}

/** What kind of text is interpolated: plain text, a bash script, or a regular expression. */
export type TextKind = 'plain' | 'shell' | 'regex';

/**
 * Interpolates `{{ ns.name }}` references. In a bash script each value is escaped for the
 * spot it lands in (bare word, '…', "…", here-document), so a value can never become code;
 * in a regular expression it matches itself literally.
 */
export function interpolate(text: string, scope: Scope, kind: TextKind): { rendered: Rendered; errors: ReferenceError[] } {
  const rendered: Segment[] = [];
  const errors: ReferenceError[] = [];
  if (!hasReferences(text)) return { rendered: [{ raw: text }], errors };
  const matches = [...text.matchAll(REFERENCE)];
  const spots: ShellSpot[] | undefined =
    kind === 'shell'
      ? shellSpots(
          text,
          matches.map((m) => m.index),
        )
      : undefined;
  const contexts: ValueContext[] = spots ? spots.map((s) => s.context) : matches.map(() => kind as ValueContext);
  let last = 0;
  matches.forEach((match, n) => {
    const index = match.index;
    const unclosed = text.slice(last, index).indexOf('{{');
    if (unclosed >= 0) errors.push(unclosedError(text, last + unclosed));
    if (index > last) rendered.push({ raw: text.slice(last, index) });
    last = index + match[0].length;
    const context = contexts[n]!;
    const result = lookup(match[1]!, scope);
    const placement = 'error' in result ? undefined : placementError(result.value, context, spots?.[n]);
    if ('error' in result || placement) {
      errors.push({ reference: match[0], index, ...('error' in result ? result.error : placement!) });
      rendered.push({ raw: match[0] });
    } else if (result.value.some(isDeferred)) {
      // A captured value is checked for its place once it is known: what that check needs is kept.
      const spot = spots?.[n];
      rendered.push({ value: result.value, quote: context, spot: { delimiter: spot?.delimiter, reachesArithmetic: spot?.reachesArithmetic } });
    } else {
      rendered.push({ value: result.value, quote: context });
    }
  });
  const unclosed = text.indexOf('{{', last);
  if (unclosed >= 0) errors.push(unclosedError(text, unclosed));
  if (last < text.length) rendered.push({ raw: text.slice(last) });
  return { rendered, errors };
}

function unclosedError(text: string, index: number): ReferenceError {
  const reference = text.slice(index, index + 20).split('\n')[0]!;
  return { reference, index, message: 'a `{{` reference is not closed', expected: '{{ namespace.name }}', hint: 'add the closing `}}`' };
}

/** Why a value cannot stand where it is placed. */
export type PlacementError = Omit<ReferenceError, 'reference' | 'index'>;

/**
 * Values that no escaping can make safe where they stand. A value that holds a capture is
 * refused here only where no value could stand; its text is checked again once it is known.
 */
export function placementError(value: Piece[], context: ValueContext, spot: SpotFacts | undefined): PlacementError | undefined {
  if (value.some(isDeferred) && context !== 'unknown' && context !== 'heredoc-literal') return undefined;
  const delimiter = spot?.delimiter;
  const plain = value.map((p) => ('text' in p ? p.text : '')).join('');
  if (plain.includes('\0')) {
    return {
      message: 'a value holds a NUL byte, which no command, file name or argument can carry',
      expected: 'text without NUL bytes',
      hint: 'remove the NUL (\\0 or \\x00) from the value',
    };
  }
  if (context === 'arith' || spot?.reachesArithmetic) {
    const where =
      context === 'arith'
        ? 'it stands in arithmetic ($(( )), (( )), $[ ], let, or [[ … -eq … ]])'
        : `it is assigned to \`${spot!.reachesArithmetic}\`, which arithmetic ($(( )), (( )), let, [[ … -eq … ]] or declare -i) reads`;
    if (value.some((p) => 'secret' in p)) {
      return {
        message: `a secret cannot be used here: ${where}, and bash would run commands written in it`,
        expected: 'a plain integer here, not a secret',
        hint: 'compare or compute with the secret in another way, e.g. [ "$v" = … ] or test "$v" -eq …',
      };
    }
    if (!/^-?[0-9]+$/.test(plain)) {
      return {
        message: `a value that is not a plain integer cannot be used here: ${where}, and bash evaluates a[$(…)] in it as a command`,
        expected: 'a plain integer (digits, optionally a leading -)',
        hint: `give it an integer value, or test it with [ "$x" -eq … ] (test does no arithmetic on its operands)`,
      };
    }
    return undefined;
  }
  if (context === 'comment' && /[\n\r]/.test(plain)) {
    return {
      message: 'a value with a line break cannot be placed in a # comment: its next line would run as a command',
      expected: 'a one-line value in a comment',
      hint: 'move the reference out of the comment, or give it a one-line value',
    };
  }
  if (context === 'unknown') {
    return {
      message: "a value cannot be placed here: inside backticks, $'…', ${…} or a `case` in $(…), its quoting cannot be made safe",
      expected: 'the reference as a plain argument, or inside \'…\' or "…"',
      hint: 'use $(…) instead of backticks, or set a shell variable first: v={{ vars.x }}; then use "$v"',
    };
  }
  if (context === 'heredoc-literal') {
    return {
      message: "a value cannot be placed in a quoted here-document (<<'EOF'): its body is taken literally",
      expected: 'an unquoted here-document (<<EOF) or a here-string (<<<)',
      hint: 'drop the quotes around the here-document delimiter',
    };
  }
  if (context === 'heredoc' && value.some((p) => 'text' in p && p.text.includes('\n'))) {
    return {
      message: 'a value with a line break cannot be placed in a here-document: a line of it could end the document',
      expected: 'a one-line value here',
      hint: 'pass it as an argument or through a here-string (<<<) instead',
    };
  }
  const text = plain;
  if (context === 'heredoc' && delimiter !== undefined && text.replace(/^\t+/, '').split('\n').includes(delimiter)) {
    return {
      message: `a value equal to the here-document's delimiter (${delimiter}) would end the document early`,
      expected: `a value other than ${delimiter}`,
      hint: 'pick a delimiter no value can equal, e.g. LIFEBOAT_EOF',
    };
  }
  return undefined;
}

type Lookup = { value: Piece[] } | { error: Omit<ReferenceError, 'reference' | 'index'> };

function lookup(expression: string, scope: Scope): Lookup {
  const parts = expression.split('.');
  const [namespace, name, field, ...rest] = parts;
  if (namespace === 'steps') return captureLookup(expression, parts.slice(1), scope);
  if (scope.item !== undefined && namespace === scope.item) {
    const path = parts.slice(1);
    if (path.some((key) => key === '')) return { error: { message: `\`${expression}\` has an empty part`, expected: `${scope.item}, or ${scope.item}.KEY for a part of an item` } };
    return { value: [{ item: { as: scope.item, path } }] };
  }
  const namespaces = scope.params ? ['vars', 'params', 'secrets', 'hosts', 'steps'] : ['vars', 'secrets', 'hosts', 'steps'];
  if (namespace === undefined || !namespaces.includes(namespace) || name === undefined || name === '') {
    if (namespace === 'params') {
      return {
        error: {
          message: '`params` can only be used inside a step template',
          expected: 'vars.NAME, secrets.NAME or hosts.NAME.FIELD',
          hint: 'pass the value to a template with `with:`, or use a var',
        },
      };
    }
    return {
      error: {
        message: `unknown reference \`${expression}\``,
        expected: namespaces.map((n) => (n === 'hosts' ? 'hosts.NAME.FIELD' : n === 'steps' ? 'steps.STEP.NAME' : `${n}.NAME`)).join(', '),
        hint: namespace ? didYouMean(namespace, namespaces) : undefined,
      },
    };
  }
  if (namespace === 'hosts') {
    const host = scope.hosts.get(name);
    if (!host) return missing('host', name, scope.hosts.keys());
    if (field === undefined || rest.length > 0 || !Object.hasOwn(host, field)) {
      return {
        error: {
          message: `unknown host field \`${field ?? ''}\` in \`${expression}\``,
          expected: `one of ${HOST_FIELDS.join(', ')}`,
          hint: field ? didYouMean(field, HOST_FIELDS) : undefined,
        },
      };
    }
    return { value: [{ text: host[field]! }] };
  }
  if (field !== undefined) {
    return { error: { message: `\`${expression}\` has too many parts`, expected: `${namespace}.NAME` } };
  }
  if (namespace === 'secrets') {
    return scope.secrets.has(name) ? { value: [{ secret: name }] } : missing('secret', name, scope.secrets);
  }
  const table = namespace === 'params' ? scope.params! : scope.vars;
  const value = table.has(name) ? table.get(name) : undefined;
  return value ? { value } : missing(namespace === 'params' ? 'param' : 'var', name, table.keys());
}

function missing(kind: string, name: string, known: Iterable<string>): Lookup {
  const list = [...known];
  return {
    error: {
      message: `undefined ${kind} \`${name}\``,
      expected: list.length ? `one of the declared ${kind}s: ${list.join(', ')}` : `a declared ${kind} (there are none)`,
      hint: didYouMean(name, list) ?? `declare it under \`${kind === 'param' ? 'params' : kind === 'var' ? 'vars' : `${kind}s`}:\``,
    },
  };
}

/** `steps.STEP.NAME[.KEY…]`: a value a step captures (known once it ran), with a path into a JSON value. */
function captureLookup(expression: string, parts: string[], scope: Scope): Lookup {
  const [step, name, ...path] = parts;
  const steps = scope.steps ?? new Map<string, ReadonlySet<string>>();
  if (!step || !name || path.some((key) => key === '')) {
    return { error: { message: `\`${expression}\` names no captured value`, expected: 'steps.STEP.NAME, or steps.STEP.NAME.KEY for a part of a JSON value' } };
  }
  const names = steps.get(step);
  if (!names) {
    const capturing = [...steps.keys()];
    return {
      error: {
        message: `no step \`${step}\` captures anything`,
        expected: capturing.length ? `a step with \`capture:\` or \`ask:\`: ${capturing.join(', ')}` : 'a step with `capture:` or `ask:` (there are none)',
        hint: didYouMean(step, capturing) ?? `give step \`${step}\` a \`capture:\` entry`,
      },
    };
  }
  if (!names.has(name)) {
    return {
      error: {
        message: `step \`${step}\` captures no \`${name}\``,
        expected: `one of its captures: ${[...names].join(', ')}`,
        hint: didYouMean(name, [...names]) ?? `add \`${name}\` to its \`capture:\``,
      },
    };
  }
  return { value: [{ capture: { step, name, path } }] };
}
