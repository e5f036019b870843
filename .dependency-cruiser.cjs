// The layers of Lifeboat, checked by `npm run lint` (dependency-cruiser):
//   src/core     pure functions and types, by stage (no effects: no node built-ins, no effect libraries)
//   src/ports    interfaces for effects (core types only)
//   src/adapters the effects behind the ports (never the engine or the commands)
//   src/engine   the machine that carries a run (never the commands)
//   src/cli      one file per command, the error boundary
/** Libraries that act on the world: only adapters, the engine and the commands may use them. */
const EFFECT_LIBRARIES = '^(execa|zx|pino|pino-[a-z-]+|@inquirer/.*|inquirer|playwright-core|picocolors)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'src/core holds pure functions: file system, processes and the network belong to adapters behind ports.',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-has-no-effect-library',
      severity: 'error',
      comment: 'src/core may not use a library that acts on the world (processes, prompts, logging, terminals).',
      from: { path: '^src/core/' },
      to: { path: 'node_modules', via: { dependencyTypes: ['npm'] }, pathNot: '^node_modules/(xstate|yaml|js-yaml|ajv[^/]*|string-width|fastest-levenshtein)/' },
    },
    {
      name: 'core-imports-core',
      severity: 'error',
      comment: 'src/core is the bottom layer: it imports nothing from ports, adapters, engine or cli.',
      from: { path: '^src/core/' },
      to: { path: '^src/(ports|adapters|engine|cli)/' },
    },
    {
      name: 'ports-import-core-types',
      severity: 'error',
      comment: 'A port is an interface over core types; it knows no implementation.',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(core|ports)/' },
    },
    {
      name: 'adapters-below-engine-and-cli',
      severity: 'error',
      comment: 'Adapters implement ports; the engine and the commands use them, never the other way.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(engine|cli)/' },
    },
    {
      name: 'engine-below-cli',
      severity: 'error',
      comment: 'The engine is used by the commands and knows none of them.',
      from: { path: '^src/engine/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'effect-libraries-at-the-edges',
      severity: 'error',
      comment: 'Effect libraries are for adapters, the engine and the commands.',
      from: { path: '^src/(core|ports)/' },
      to: { path: EFFECT_LIBRARIES, dependencyTypes: ['npm', 'npm-dev'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules form no cycle.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      scope: 'folder',
      comment: 'Folders form no cycle either: a stage of the pipeline never reaches back into an earlier one that needs it.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
