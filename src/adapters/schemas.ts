import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { SchemaChecks } from '../core/build-plan.js';
import { check, createSchemaChecks } from '../core/schema-check.js';

let cached: SchemaChecks | undefined;

/**
 * The runbook and template schema checks: the validators `npm run build` compiled ahead of
 * time when present, else compiled now from schema/ (as when tests run from source).
 */
export function loadSchemaChecks(): SchemaChecks {
  if (cached) return cached;
  try {
    const compiled = createRequire(import.meta.url)('../schema-validators.cjs') as Record<'runbook' | 'template' | 'inventory', ValidateFunction>;
    cached = { runbook: check(compiled.runbook), template: check(compiled.template), inventory: check(compiled.inventory) };
  } catch {
    const read = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../schema/${name}`, import.meta.url)), 'utf8')) as object;
    cached = createSchemaChecks(read('runbook.schema.json'), read('step-template.schema.json'), read('inventory.schema.json'));
  }
  return cached;
}
