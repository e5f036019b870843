import type { Problem } from '../model/problem.js';
import type { TemplateParam } from '../model/runbook-types.js';
import { parseSource, type SourceDoc, type SourceFile } from '../parse/source-doc.js';
import { captureReference, itemReference, type Piece, toPieces } from '../shell/rendered.js';
import { parseDuration } from '../text/duration.js';
import type { SchemaCheck } from '../validate/schema-check.js';
import { didYouMean } from '../validate/suggest.js';
import type { Scope } from './interpolate.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';

/** A parsed, schema-checked step template. */
export interface LoadedTemplate {
  name: string;
  src: SourceDoc;
  params: Record<string, TemplateParam>;
  step: Record<string, unknown>;
}

/** Parses and schema-checks template files once each, remembering the outcome. */
export class TemplateCache {
  private readonly loaded = new Map<string, LoadedTemplate | 'missing' | 'broken'>();
  constructor(
    private readonly files: ReadonlyMap<string, SourceFile>,
    private readonly check: SchemaCheck,
    private readonly problems: Problem[],
  ) {}

  /** Names of every template in the library. */
  names(): Iterable<string> {
    return this.files.keys();
  }

  /** The template called `name`, or whether it is missing or broken (a broken one's problems are reported once). */
  get(name: string): LoadedTemplate | 'missing' | 'broken' {
    const known = this.loaded.get(name);
    if (known) return known;
    const file = this.files.get(name);
    let template: LoadedTemplate | 'missing' | 'broken' = file ? 'broken' : 'missing';
    if (file) {
      const parsed = parseSource(file, 'a step template with a `step:` key');
      this.problems.push(...parsed.problems);
      if (parsed.source) {
        const value = parsed.value;
        const problems = this.check(parsed.source, value);
        this.problems.push(...problems);
        if (problems.length === 0 && isRecord(value) && isRecord(value.step)) {
          template = { name, src: parsed.source, params: (value.params ?? {}) as Record<string, TemplateParam>, step: value.step };
        }
      }
    }
    this.loaded.set(name, template);
    return template;
  }
}

/** Binds a `uses` step's `with:` values to the template's declared params, checking names, types and required ones. */
export function bindParams(template: LoadedTemplate, withAt: Located, usesAt: Located, res: Resolution, hostNames: readonly string[]): Map<string, Piece[]> {
  const bound = new Map<string, Piece[]>();
  const given = isRecord(withAt.value) ? withAt.value : {};
  // A `with:` of the wrong type is the schema's problem to report; do not add "missing" ones.
  const withBroken = withAt.value !== undefined && !isRecord(withAt.value);
  const declared = Object.keys(template.params);
  for (const key of Object.keys(given)) {
    if (!(key in template.params)) {
      res.report(
        child(withAt, key),
        {
          message: `unknown param \`${key}\` for template \`${template.name}\``,
          expected: declared.length ? `one of ${declared.join(', ')}` : 'no params (the template declares none)',
          received: `\`${key}\``,
          hint: didYouMean(key, declared),
        },
        true,
      );
    }
  }
  for (const [name, param] of Object.entries(template.params)) {
    const valueAt = child(withAt, name);
    const value = given[name];
    if (value === undefined || value === null) {
      if (param.default !== undefined) bound.set(name, [{ text: String(param.default) }]);
      else if (param.required !== false && !withBroken) {
        res.report(usesAt, {
          message: `missing required param \`${name}\` for template \`${template.name}\``,
          expected: `with: { ${name}: ... }${param.description ? ` (${param.description})` : ''}`,
          received: Object.keys(given).length ? `with: { ${Object.keys(given).join(', ')} }` : 'no `with:`',
          hint: `add \`${name}\` under \`with:\``,
        });
      }
      // Bound even when missing, so uses of it inside the template are not reported again.
      if (!bound.has(name)) bound.set(name, []);
      continue;
    }
    if (typeof value === 'object') {
      res.report(valueAt, { message: `param \`${name}\` must be a single value`, expected: param.type ?? 'string', received: Array.isArray(value) ? 'a list' : 'a map' });
      bound.set(name, []);
      continue;
    }
    const pieces = toPieces(res.text(valueAt, false));
    bound.set(name, pieces);
    // Checked after interpolation too: a number param given "{{ vars.x }}" must still be a number.
    if (pieces.every((p) => 'text' in p)) checkParamType(name, param, pieces.map((p) => ('text' in p ? p.text : '')).join(''), valueAt, res, hostNames);
    else if (param.type === 'number' || param.type === 'boolean' || param.type === 'duration' || param.type === 'host') {
      const unknown = pieces.find((p) => !('text' in p))!;
      res.report(valueAt, {
        message: `param \`${name}\` takes a ${param.type}, which ${unknownValue(unknown).what} cannot be proven to be before the run`,
        expected: `a ${param.type} written in the runbook (or a var)`,
        received: unknownValue(unknown).received,
        hint: unknownValue(unknown).hint,
      });
    }
  }
  return bound;
}

function checkParamType(name: string, param: TemplateParam, text: string, at: Located, res: Resolution, hostNames: readonly string[]): void {
  const type = param.type ?? 'string';
  const ok =
    type === 'string' ||
    (type === 'number' && /^-?[0-9]+(\.[0-9]+)?$/.test(text)) ||
    (type === 'boolean' && (text === 'true' || text === 'false')) ||
    (type === 'duration' && parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text) !== undefined) ||
    (type === 'host' && hostNames.includes(text));
  if (!ok && type === 'host') {
    res.report(at, {
      message: `unknown host \`${text}\` for param \`${name}\``,
      expected: `a host name: ${hostNames.join(', ') || '(no hosts declared)'}`,
      received: JSON.stringify(text),
      hint: didYouMean(text, hostNames),
    });
  } else if (!ok) {
    res.report(at, {
      message: `param \`${name}\` has the wrong type`,
      expected: type === 'host' ? `a host name: ${hostNames.join(', ') || '(no hosts declared)'}` : `a ${type}`,
      received: JSON.stringify(text),
      hint: type === 'host' ? didYouMean(text, hostNames) : undefined,
    });
  }
}

/** The scope a template's own fields are interpolated in: the runbook's, plus its params. */
export function templateScope(base: Scope, params: Map<string, Piece[]>): Scope {
  return { ...base, params };
}

/** How a value known only at run time is named in a message: a secret, a captured value or a foreach item. */
function unknownValue(piece: Piece): { what: string; received: string; hint: string } {
  if ('secret' in piece) return { what: 'a secret', received: `the secret ${piece.secret}`, hint: 'a secret stays unread until the run: give this param a written value' };
  if ('capture' in piece) {
    const ref = captureReference(piece.capture);
    return {
      what: 'a captured value',
      received: `${ref}, known only once step ${piece.capture.step} ran`,
      hint: `use ${ref} in the template's command instead (as a string param), where it is checked when it is known`,
    };
  }
  if ('item' in piece)
    return {
      what: 'a foreach item',
      received: `${itemReference(piece.item)}, known only when each item runs`,
      hint: `use ${itemReference(piece.item)} in the template's command instead (as a string param)`,
    };
  return { what: 'this value', received: JSON.stringify(piece.text), hint: '' };
}
