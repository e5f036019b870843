import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';

/**
 * The JSON Schemas are what an editor knows of a runbook. They must say as much as `validate`
 * does wherever a schema can say it, and never more: every broken runbook of the corpus goes
 * through both, and the few the schema cannot express are listed here, each with why.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INVALID = join(ROOT, 'tests/fixtures/invalid');

/** The invalid fixtures an editor's schema check accepts, and why no JSON Schema can reject them. */
const SCHEMA_CANNOT_EXPRESS: Record<string, string> = {
  '01-yaml-bad-indent': 'a YAML syntax error: the editor reports it before any schema',
  '02-yaml-tab-indent': 'a YAML syntax error',
  '03-yaml-duplicate-key': 'a YAML error (duplicate key)',
  '04-empty-file': 'an empty document is no value to check',
  '05-only-comment': 'a document holding only a comment is no value to check',
  '17-duplicate-phase-id': 'ids unique across the whole file',
  '18-duplicate-step-id-across-phases': 'ids unique across the whole file',
  '19-phase-id-equals-step-id': 'ids unique across the whole file',
  '20-needs-unknown-phase': '`needs` must name a phase declared elsewhere in the file',
  '21-step-needs-step-in-other-phase': '`needs` must name a step of the same phase',
  '22-phase-cycle-of-two': 'dependency cycles',
  '23-phase-cycle-of-three': 'dependency cycles',
  '24-step-cycle-in-phase': 'dependency cycles',
  '25-phase-needs-itself': 'a value compared with its own phase id',
  '29-uses-unknown-template': 'the template files on disk',
  '30-template-unknown-param': 'the params a template file declares',
  '31-template-param-wrong-type': 'the param types a template file declares',
  '32-template-undeclared-param': '{{ params.x }} compared with the params declared',
  '33-undefined-var': '{{ vars.x }} compared with the vars declared',
  '34-undefined-secret': '{{ secrets.x }} compared with the secrets declared',
  '35-params-outside-template': 'the meaning of {{ params.x }} in a runbook',
  '36-unknown-host-in-on': '`on` must name a host declared in the file',
  '37-unknown-host-field': '{{ hosts.x.field }} inside a string',
  '42-invalid-stdout-regex': 'whether a string is a valid regular expression',
  '43-yaml-unquoted-colon': 'a YAML syntax error',
  '44-cli-var-unknown': 'command-line --var',
  '45-vars-file-unknown-var': 'a separate vars file',
  '46-script-missing': 'the script files on disk',
  '47-missing-file': 'no file at all',
  '51-check-from-unknown-host': '`from` must name a host declared in the file',
  '54-template-used-twice-without-id': 'ids unique across the whole file (taken from template names)',
  '55-vars-file-not-a-map': 'a separate vars file',
  '56-template-without-action': 'a template may leave the action to the runbook step that uses it',
  '58-null-var-no-cascade': 'a var left null must come from the command line',
  '60-missing-param-no-cascade': 'the params a template file requires',
  '61-tabs-no-cascade': 'a YAML syntax error',
  '62-unclosed-quote': 'a YAML syntax error',
  '63-unclosed-bracket': 'a YAML syntax error',
  '64-second-document': 'a YAML stream of two documents',
  '69-unknown-host-param': 'a host param compared with the hosts declared',
  '70-same-template-problem-once': '{{ params.x }} compared with the params declared',
  '71-missing-vars-file-and-more': 'a vars file that does not exist',
  '72-foreach-typed-confirm-names-item': 'a typed word naming the item, whose name `as:` may set',
};

/** Compiles the schemas as an editor uses them: whole, with their exclusive choices. */
function editorSchemas(): { runbook: ValidateFunction; template: ValidateFunction } {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
  const ids: string[] = [];
  for (const file of ['runbook.schema.json', 'step-template.schema.json', 'inventory.schema.json']) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    ids.push(schema.$id);
  }
  return { runbook: ajv.getSchema(ids[0]!)!, template: ajv.getSchema(ids[1]!)! };
}

const schemas = editorSchemas();

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** What an editor says of one file: a YAML error, schema errors, or nothing. */
function editorVerdict(file: string, validate: ValidateFunction): 'yaml error' | 'no value' | string[] {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) return 'yaml error';
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return 'no value';
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Whether the schema rejects a case: its runbook or any template of its own steps folder. */
function schemaRejects(dir: string): boolean {
  const runbook = join(dir, 'runbook.yaml');
  const verdicts = [...(existsSync(runbook) ? [editorVerdict(runbook, schemas.runbook)] : []), ...yamlFiles(join(dir, 'steps')).map((file) => editorVerdict(file, schemas.template))];
  return verdicts.some((v) => Array.isArray(v) && v.length > 0);
}

const cases = readdirSync(INVALID, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('the schema is as strict as validate', () => {
  it('rejects every invalid fixture except the ones listed as beyond a schema, and only those', () => {
    const accepted = cases.filter((name) => !schemaRejects(join(INVALID, name)));
    expect(accepted).toEqual(Object.keys(SCHEMA_CANNOT_EXPRESS).sort());
  });

  it('lists no fixture that does not exist', () => {
    expect(Object.keys(SCHEMA_CANNOT_EXPRESS).filter((name) => !cases.includes(name))).toEqual([]);
  });

  // Through the CLI's entry point in this process (tests/helpers/cli-in-process.ts), one case at a time:
  // each runs from its own folder.
  describe.each(cases)('validate rejects %s', (name) => {
    it('with exit code 2', async () => {
      const dir = join(INVALID, name);
      const argsFile = join(dir, 'args');
      const lines = existsSync(argsFile)
        ? readFileSync(argsFile, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
        : [];
      const [first, ...rest] = lines;
      const args = first?.endsWith('.yaml') ? [first, ...rest] : ['runbook.yaml', ...lines];
      const result = await lifeboatInProcess(['validate', ...args, '--steps', join(dir, 'steps')], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(2);
    });
  });
});

describe('the schema is no stricter than validate', () => {
  const runbooks = [
    // A runbook's test cases (NAME.tests.yaml) stand beside it; `lifeboat test` checks them against their own schema.
    ...yamlFiles(join(ROOT, 'runbooks')).filter((f) => !f.endsWith('.tests.yaml')),
    ...yamlFiles(join(ROOT, 'tests/fixtures/run')),
    ...yamlFiles(join(ROOT, 'tests/fixtures/valid')).filter((f) => f.endsWith('runbook.yaml')),
    ...yamlFiles(join(ROOT, 'tests/review/fixtures')),
  ];
  const templates = [...yamlFiles(join(ROOT, 'steps')), ...yamlFiles(join(ROOT, 'tests/fixtures/valid')).filter((f) => f.includes('/steps/'))];

  it.each(runbooks.map((f) => relative(ROOT, f)))('accepts the valid runbook %s', (file) => {
    expect(editorVerdict(join(ROOT, file), schemas.runbook)).toEqual([]);
  });

  it.each(templates.map((f) => relative(ROOT, f)))('accepts the valid template %s', (file) => {
    expect(editorVerdict(join(ROOT, file), schemas.template)).toEqual([]);
  });

  it('accepts a duration template param as a step timeout', () => {
    expect(schemas.template({ params: { limit: { type: 'duration', default: '5m' } }, step: { run: 'true', timeout: '{{ params.limit }}' } })).toBe(true);
  });
});
