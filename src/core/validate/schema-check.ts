import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../model/problem.js';
import { formatPath, positionOf, type SourceDoc } from '../parse/source-doc.js';
import type { YamlPath } from '../parse/yaml-path.js';
import { didYouMean } from './suggest.js';

/** Checks a parsed YAML value against a JSON Schema and reports every mismatch with its position. */
export type SchemaCheck = (source: SourceDoc, value: unknown) => Problem[];

/** Wraps a compiled validator (built at run time or ahead of time) as a problem-collecting check. */
export function check(validate: ValidateFunction): SchemaCheck {
  return (source, value) => {
    if (validate(value)) return [];
    return toProblems(source, validate.errors ?? []);
  };
}

function pointerToPath(pointer: string): YamlPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const ITEM_KIND: Record<string, string> = { phases: 'phase', steps: 'step', verify: 'check', precheck: 'check', until: 'check' };

/** Names the kind of object at a path, so messages say "step" or "`phases`" rather than a JSON pointer. */
export function objectKind(path: YamlPath): string {
  if (path.length === 0) return 'runbook';
  const last = path[path.length - 1]!;
  const parent = path[path.length - 2];
  if (typeof last === 'number') return (typeof parent === 'string' && ITEM_KIND[parent]) || 'list item';
  if (parent === 'hosts') return 'host';
  if (parent === 'secrets') return 'secret';
  if (parent === 'params') return 'param';
  if (last === 'wait') return 'wait';
  return `\`${last}\``;
}

/** Describes a value as "what arrived": its type and a short rendering. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return `a map with keys ${Object.keys(value).join(', ') || '(none)'}`;
  const text = JSON.stringify(value);
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `${typeof value} ${short}`;
}

function expectedOf(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const expected = parent?.['x-expected'];
  return typeof expected === 'string' ? expected : undefined;
}

function toProblems(source: SourceDoc, errors: ErrorObject[]): Problem[] {
  // anyOf reports each branch's failure too; keep only the anyOf summary for that value.
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && [...anyOfAt].some((p) => error.instancePath.startsWith(p) && error.schemaPath.includes('/anyOf/'))) continue;
    if (error.keyword === 'propertyNames') continue; // its nested pattern error says more
    const problem = toProblem(source, error);
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function toProblem(source: SourceDoc, error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const base = (at: YamlPath, key = false) => ({ ...positionOf(source, at, key), path: formatPath(at) });
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(((error.parentSchema as { properties?: object })?.properties ?? {}) as object);
      const at = [...path, name];
      return {
        ...base(at, true),
        message: `unknown key \`${name}\` in ${objectKind(path)}`,
        expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no other keys',
        received: `\`${name}\``,
        hint: didYouMean(name, allowed),
      };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return {
        ...base(path),
        message: `missing key \`${name}\` in ${objectKind(path)}`,
        expected: `${/^[aeiou]/.test(name) ? 'an' : 'a'} \`${name}:\` entry`,
        received: describeValue(error.data),
      };
    }
    case 'pattern':
      if (error.propertyName !== undefined) {
        const at = [...path, error.propertyName];
        return {
          ...base(at, true),
          message: `invalid name \`${error.propertyName}\``,
          expected: expectedOf(error) ?? `a name matching ${String(params.pattern)}`,
          received: describeValue(error.propertyName),
        };
      }
      return {
        ...base(path),
        message: `invalid value for ${objectKind(path)}`,
        expected: expectedOf(error) ?? `a string matching ${String(params.pattern)}`,
        received: describeValue(error.data),
      };
    case 'enum':
      return {
        ...base(path),
        message: `invalid value for ${objectKind(path)}`,
        expected: expectedOf(error) ?? `one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
        received: describeValue(error.data),
        hint: typeof error.data === 'string' ? didYouMean(error.data, (params.allowedValues as unknown[]).map(String)) : undefined,
      };
    case 'const':
      return { ...base(path), message: `invalid value for ${objectKind(path)}`, expected: JSON.stringify(params.allowedValue), received: describeValue(error.data) };
    case 'minItems':
      return {
        ...base(path),
        message: `${objectKind(path)} must not be empty`,
        hint: path[path.length - 1] === 'steps' ? 'a phase needs at least one step; remove the phase or add a step' : undefined,
        expected: `at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        received: describeValue(error.data),
      };
    case 'anyOf': {
      const expected = expectedOf(error);
      const isDuration = expected?.includes('duration') ?? false;
      return {
        ...base(path),
        message: isDuration ? `invalid duration for ${objectKind(path)}` : `invalid value for ${objectKind(path)}`,
        expected: expected ?? 'a value of another form',
        received: describeValue(error.data),
        hint: isDuration ? 'write a number and a unit: 30s, 5m, 1h30m' : undefined,
      };
    }
    case 'type':
      return { ...base(path), ...typeProblem(error, path) };
    case 'minimum':
    case 'maximum':
      return {
        ...base(path),
        message: `invalid value for ${objectKind(path)}: ${error.keyword === 'minimum' ? 'too small' : 'too large'}`,
        expected: expectedOf(error) ?? rangeOf(error.parentSchema as Bounds),
        received: describeValue(error.data),
      };
    default:
      return {
        ...base(path),
        message: `invalid value for ${objectKind(path)}: ${error.message ?? error.keyword}`,
        received: describeValue(error.data),
      };
  }
}

/** A value of the wrong type: what the key takes (a list of checks, a map, …) and what arrived. */
function typeProblem(error: ErrorObject, path: YamlPath): Omit<Problem, 'file' | 'line' | 'column' | 'path'> {
  const params = error.params as Record<string, unknown>;
  const list = String(params.type) === 'array';
  const itemKind = typeof path[path.length - 1] === 'string' ? ITEM_KIND[path[path.length - 1] as string] : undefined;
  return {
    message: `wrong type for ${objectKind(path)}`,
    expected: expectedOf(error) ?? (list && itemKind ? `a list of ${itemKind === 'check' ? 'checks' : `${itemKind}s`}` : article(String(params.type))),
    received: describeValue(error.data),
    hint:
      typeof error.data === 'object' && error.data !== null && !Array.isArray(error.data) && String(params.type) === 'string'
        ? 'a value containing ": " must be quoted'
        : list && itemKind
          ? `write a list: each ${itemKind} starts with \`- \` on its own line`
          : undefined,
  };
}

type Bounds = { type?: string; minimum?: number; maximum?: number };

/** The numbers a bounded key takes, in words: "a whole number from 1 to 64". */
function rangeOf(schema: Bounds): string {
  const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `${kind} from ${schema.minimum} to ${schema.maximum}`;
  return schema.minimum !== undefined ? `${kind}, at least ${schema.minimum}` : `${kind}, at most ${schema.maximum}`;
}

function article(type: string): string {
  if (type.includes(',')) return `one of ${type.replace(/,/g, ', ')}`;
  if (type === 'object') return 'a map';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
