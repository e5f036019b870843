import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Editors show a key's description on hover: every key the schemas know must have one. */
const FILES = ['runbook.schema.json', 'step-template.schema.json', 'inventory.schema.json'];

/** Every property declared anywhere in a schema that has no description, as path strings. */
function undescribed(node: unknown, path: string, out: string[], inRule = false): string[] {
  if (Array.isArray(node))
    node.forEach((item, i) => {
      undescribed(item, `${path}/${i}`, out, inRule);
    });
  else if (node !== null && typeof node === 'object') {
    // An `x-rule` part restates keys described where they are declared.
    const rule = inRule || 'x-rule' in node;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') {
        for (const [name, property] of Object.entries(value)) {
          const isRuleOnly = rule || path.includes('/definitions/check-');
          if (
            !isRuleOnly &&
            (typeof property !== 'object' ||
              property === null ||
              typeof (property as { description?: unknown }).description !== 'string' ||
              (property as { description: string }).description.trim() === '')
          ) {
            out.push(`${path}/properties/${name}`);
          }
        }
      }
      undescribed(value, `${path}/${key}`, out, rule);
    }
  }
  return out;
}

describe('schema descriptions', () => {
  it.each(FILES)('%s describes every property', (file) => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL(`../../schema/${file}`, import.meta.url)), 'utf8')) as unknown;
    expect(undescribed(schema, '#', [])).toEqual([]);
  });
});
