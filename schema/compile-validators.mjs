// Compiles the JSON Schemas into a standalone CommonJS module (loadable synchronously) at build time, so that no command
// pays for ajv's schema compilation at start-up. Run by `npm run build`.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

// Validate compiles the schemas without their `x-rule` parts: its own rules say the same things with friendlier
// messages. This must match withoutRules in src/adapters/schemas.ts.
const withoutRules = (node) => {
  if (Array.isArray(node)) return node.filter((item) => !(item && typeof item === 'object' && 'x-rule' in item)).map(withoutRules);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withoutRules(value)]));
  if (Array.isArray(out.allOf) && out.allOf.length === 0) delete out.allOf;
  return out;
};
const read = (name) => withoutRules(JSON.parse(readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8')));
const runbook = read('./runbook.schema.json');
const template = read('./step-template.schema.json');
const inventory = read('./inventory.schema.json');
const tests = read('./runbook-tests.schema.json');
// These options must match createSchemaChecks in src/core/validate/schema-check.ts.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code: { source: true } });
ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
ajv.addSchema(runbook);
ajv.addSchema(template);
ajv.addSchema(inventory);
ajv.addSchema(tests);
const code = standaloneCode.default(ajv, { runbook: runbook.$id, template: template.$id, inventory: inventory.$id, tests: tests.$id });
const out = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}schema-validators.cjs`, code);
