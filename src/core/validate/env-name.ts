/** A name a shell can export and read back: letters, digits and _, not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Prefix of the variables secrets travel in: a step's own variable must not pose as one. */
const RESERVED_PREFIX = 'LIFEBOAT_SECRET_';

/**
 * Variables whose value a shell, the dynamic loader or node reads as code or as a file of code:
 * such a variable may be set in the runbook's own text, never from a value (vars, --var, inventory).
 */
const READ_AS_CODE = new Set(['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'PROMPT_COMMAND', 'LD_PRELOAD', 'LD_AUDIT', 'LD_LIBRARY_PATH', 'NODE_OPTIONS', 'PATH']);

/** Why `name` cannot be an environment variable set by a step, if it cannot; `interpolated`: its value comes from a reference. */
export function envNameProblem(name: string, interpolated: boolean): { message: string; expected: string; hint: string } | undefined {
  const expected = 'an environment variable name: letters, digits and _, not starting with a digit';
  if (!ENV_NAME.test(name)) {
    const fixed = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
    return { message: `\`${name}\` is not an environment variable name`, expected, hint: `a shell cannot export it; use a name such as ${fixed || 'MY_VAR'}` };
  }
  if (name.startsWith(RESERVED_PREFIX)) {
    return {
      message: `\`${name}\` is reserved`,
      expected: `${expected}, not starting with ${RESERVED_PREFIX}`,
      hint: 'secrets reach a command in these variables: use {{ secrets.NAME }} where the value is needed, or another name',
    };
  }
  if (interpolated && READ_AS_CODE.has(name)) {
    return {
      message: `\`${name}\` cannot take its value from a reference`,
      expected: `a value written out in the runbook for ${name}`,
      hint: `a shell, the loader or node reads ${name} as code or as a file of code: write its value in the runbook itself`,
    };
  }
  return undefined;
}
