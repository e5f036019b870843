// Compiles the JSON Schemas into a standalone CommonJS module (loadable synchronously) at build time, so that no command
// pays for ajv's schema compilation at start-up. Run by `npm run build`.
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8'));
const runbook = read('./runbook.schema.json');
const template = read('./step-template.schema.json');
const inventory = read('./inventory.schema.json');
// These options must match createSchemaChecks in src/core/schema-check.ts.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code: { source: true } });
ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
ajv.addSchema(runbook);
ajv.addSchema(template);
ajv.addSchema(inventory);
const code = standaloneCode.default(ajv, { runbook: runbook.$id, template: template.$id, inventory: inventory.$id });
const out = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}schema-validators.cjs`, code);
