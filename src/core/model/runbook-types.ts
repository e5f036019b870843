/** Shapes shared by runbooks and step templates as written in YAML (format 1). */

export type VarValue = string | number | boolean | null;

export type ParamType = 'string' | 'number' | 'boolean' | 'duration' | 'host';

/** A template parameter as declared: its type, default and description. */
export interface TemplateParam {
  type?: ParamType;
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
}

/** The step keys that say what a step does; exactly one must be present. */
export const STEP_KINDS = ['run', 'manual', 'script', 'wait', 'ask', 'uses'] as const;

/** The check keys that say what a check tests; exactly one must be present. */
export const CHECK_KINDS = ['run', 'tcp', 'http', 'dns', 'path', 'age'] as const;
