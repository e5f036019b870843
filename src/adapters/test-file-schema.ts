import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { check, type SchemaCheck } from '../core/validate/schema-check.js';

const require = createRequire(import.meta.url);
let cached: SchemaCheck | undefined;

/** Compiles the test-file schema now, with ajv: tests run from source have no build. Options as in schema/compile-validators.mjs. */
function compileNow(): ValidateFunction {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
  return ajv.compile(JSON.parse(readFileSync(fileURLToPath(new URL('../../schema/runbook-tests.schema.json', import.meta.url)), 'utf8')));
}

/** The runbook test-file schema check: the validator the build compiled when present, else compiled now from schema/. */
export function loadTestFileCheck(): SchemaCheck {
  if (cached) return cached;
  let validate: ValidateFunction | undefined;
  try {
    validate = (require('../schema-validators.cjs') as { tests?: ValidateFunction }).tests;
  } catch {
    validate = undefined;
  }
  cached = check(validate ?? compileNow());
  return cached;
}
