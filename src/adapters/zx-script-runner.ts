/**
 * The module hooks a script step runs under: they resolve `zx` (and `zx/globals`, `zx/core`)
 * from Lifeboat's own installation, whatever folder the script lives in. Written as source
 * text, so that they need no file of their own beside the built CLI.
 */
function zxResolveHooks(parentURL: string): string {
  return [
    `const parentURL = ${JSON.stringify(parentURL)};`,
    'export async function resolve(specifier, context, next) {',
    "  if (specifier === 'zx' || specifier.startsWith('zx/')) return next(specifier, { ...context, parentURL });",
    '  return next(specifier, context);',
    '}',
  ].join('\n');
}

const dataUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;

/**
 * The command line that runs a zx script step, before the script's path and arguments: node
 * with the hooks above registered and zx's globals loaded (`$`, `argv`, `fs`, `chalk`…, as under
 * `zx script.mjs`), while `process.argv` stays node's own, so a script that reads it directly
 * works too. Carries no secret: those reach the script in its environment.
 */
export function zxScriptRunner(nodePath: string = process.execPath): string[] {
  // Resolved from this module: exactly the zx Lifeboat itself would import.
  const register = `import { register } from 'node:module';\nregister(${JSON.stringify(dataUrl(zxResolveHooks(import.meta.url)))});`;
  return [nodePath, '--import', dataUrl(register), '--import', 'zx/globals'];
}
