import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SchemaChecks } from '../core/build-plan.js';
import { createSchemaChecks } from '../core/schema-check.js';

let cached: SchemaChecks | undefined;

/** The runbook and template schema checks, compiled once from schema/ at the project root. */
export function loadSchemaChecks(): SchemaChecks {
  if (cached) return cached;
  const read = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../schema/${name}`, import.meta.url)), 'utf8')) as object;
  cached = createSchemaChecks(read('runbook.schema.json'), read('step-template.schema.json'));
  return cached;
}
