import type { Piece, Rendered, Segment } from './rendered.js';
import { didYouMean } from './suggest.js';

/** What a `{{ ... }}` reference may name, in the place where it is written. */
export interface Scope {
  vars: ReadonlyMap<string, Piece[]>;
  /** Present only inside a step template. */
  params?: ReadonlyMap<string, Piece[]>;
  secrets: ReadonlySet<string>;
  hosts: ReadonlyMap<string, Readonly<Record<string, string>>>;
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

/** Interpolates `{{ ns.name }}` references; in shell text each value becomes one quoted word. */
export function interpolate(
  text: string,
  scope: Scope,
  shell: boolean,
): { rendered: Rendered; errors: ReferenceError[] } {
  const rendered: Segment[] = [];
  const errors: ReferenceError[] = [];
  if (!hasReferences(text)) return { rendered: [{ raw: text }], errors };
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const index = match.index;
    if (index > last) rendered.push({ raw: text.slice(last, index) });
    last = index + match[0].length;
    const result = lookup(match[1]!, scope);
    if ('error' in result) {
      errors.push({ reference: match[0], index, ...result.error });
      rendered.push({ raw: match[0] });
    } else {
      rendered.push({ value: result.value, quote: shell });
    }
  }
  if (last < text.length) rendered.push({ raw: text.slice(last) });
  return { rendered, errors };
}

type Lookup = { value: Piece[] } | { error: Omit<ReferenceError, 'reference' | 'index'> };

function lookup(expression: string, scope: Scope): Lookup {
  const parts = expression.split('.');
  const [namespace, name, field, ...rest] = parts;
  const namespaces = scope.params ? ['vars', 'params', 'secrets', 'hosts'] : ['vars', 'secrets', 'hosts'];
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
        expected: namespaces.map((n) => (n === 'hosts' ? 'hosts.NAME.FIELD' : `${n}.NAME`)).join(', '),
        hint: namespace ? didYouMean(namespace, namespaces) : undefined,
      },
    };
  }
  if (namespace === 'hosts') {
    const host = scope.hosts.get(name);
    if (!host) return missing('host', name, scope.hosts.keys());
    if (field === undefined || rest.length > 0 || !(field in host)) {
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
  const value = table.get(name);
  return value ? { value } : missing(namespace === 'params' ? 'param' : 'var', name, table.keys());
}

function missing(kind: string, name: string, known: Iterable<string>): Lookup {
  const list = [...known];
  return {
    error: {
      message: `undefined ${kind} \`${name}\``,
      expected: list.length ? `one of the declared ${kind}s: ${list.join(', ')}` : `a declared ${kind} (there are none)`,
      hint: didYouMean(name, list) ?? `declare it under \`${kind === 'param' ? 'params' : kind === 'var' ? 'vars' : kind + 's'}:\``,
    },
  };
}
