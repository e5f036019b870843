import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import type { SchemaChecks } from '../core/plan/build-plan.js';
import { check } from '../core/validate/schema-check.js';

const require = createRequire(import.meta.url);
const NAMES = ['runbook', 'template', 'inventory'] as const;
const FILES = { runbook: 'runbook.schema.json', template: 'step-template.schema.json', inventory: 'inventory.schema.json' };

let cached: SchemaChecks | undefined;

/**
 * A schema without its `x-rule` parts (the exclusive choices editors show), as validate compiles it:
 * validate's own rules report the same mistakes with friendlier messages. Must match schema/compile-validators.mjs.
 */
export function withoutRules(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((item) => !(item !== null && typeof item === 'object' && 'x-rule' in item)).map(withoutRules);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withoutRules(value)]));
  if (Array.isArray(out.allOf) && out.allOf.length === 0) delete out.allOf;
  return out;
}

/** Compiles the schemas now, with ajv (loaded only here: a built install never needs it at run time). */
function compileNow(): Record<(typeof NAMES)[number], ValidateFunction> {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  // These options must match schema/compile-validators.mjs, which compiles the same checks at build time.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
  const schemas = NAMES.map((name) => withoutRules(JSON.parse(readFileSync(fileURLToPath(new URL(`../../schema/${FILES[name]}`, import.meta.url)), 'utf8'))) as { $id: string });
  for (const schema of schemas) ajv.addSchema(schema);
  return Object.fromEntries(NAMES.map((name, i) => [name, ajv.getSchema(schemas[i]!.$id)!])) as Record<(typeof NAMES)[number], ValidateFunction>;
}

/**
 * The runbook, template and inventory schema checks: the validators `npm run build` compiled
 * ahead of time when present, else compiled now from schema/ (as when tests run from source).
 */
export function loadSchemaChecks(): SchemaChecks {
  if (cached) return cached;
  let compiled: Record<(typeof NAMES)[number], ValidateFunction>;
  try {
    compiled = require('../schema-validators.cjs') as typeof compiled;
  } catch {
    compiled = compileNow();
  }
  cached = { runbook: check(compiled.runbook), template: check(compiled.template), inventory: check(compiled.inventory) };
  return cached;
}
