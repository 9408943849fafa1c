/**
 * The pipeline's folder boundaries (docs/architecture.md): imports point down the pipeline or into the
 * leaf `lib/`, never up; another stage is entered only through its `index.ts`; no cycles.
 * `npm run lint:deps` checks it; test/boundaries.test.ts shows each rule failing on a violation.
 *
 * Layers, top to bottom (a folder may import only folders below it):
 *   app → api, simulators, ingest → workers → alerts, rules → registry → lib (ingest also raises its own spool-full alert)
 * dashboards/ holds what people look at (Grafana as code) and imports nothing of Lookout's code.
 * test/, bench/ and scripts/ sit outside the pipeline and may import any stage's public surface.
 */
const STAGES = ['app', 'api', 'simulators', 'ingest', 'workers', 'alerts', 'rules', 'registry', 'lib', 'dashboards']
/** What each stage may import besides itself. */
const ALLOWED = {
  app: ['api', 'simulators', 'ingest', 'workers', 'alerts', 'rules', 'registry', 'lib'],
  api: ['alerts', 'registry', 'lib'],
  simulators: ['lib'],
  ingest: ['workers', 'alerts', 'registry', 'lib'],
  workers: ['alerts', 'rules', 'registry', 'lib'],
  alerts: ['lib'],
  rules: ['lib'],
  registry: ['lib'],
  lib: [],
  dashboards: [],
}
const OUTSIDE = ['test', 'bench', 'scripts', 'bin']

const upward = STAGES.map((stage) => ({
  name: `layer-${stage}`,
  comment: ALLOWED[stage].length
    ? `${stage}/ may import only ${ALLOWED[stage].map((s) => `${s}/`).join(', ')} (imports point down the pipeline)`
    : `${stage}/ imports nothing of Lookout's`,
  severity: 'error',
  from: { path: `^${stage}/` },
  to: { path: `^(${[...STAGES.filter((s) => s !== stage && !ALLOWED[stage].includes(s)), ...OUTSIDE].join('|')})/` },
}))

/** Tests beside the code may use shared test helpers. */
upward.forEach((rule) => {
  rule.from.pathNot = '\\.test\\.ts$'
})

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-deep-import',
      comment: "enter another stage through its index.ts (lib's top-level files are each a public module)",
      severity: 'error',
      from: { path: '^([^/]+)/', pathNot: ['^(test|bench|scripts|bin)/', '\\.test\\.ts$'] },
      to: {
        path: `^(${STAGES.join('|')})/`,
        pathNot: [`^(${STAGES.join('|')})/index\\.ts$`, '^lib/[^/]+\\.ts$', '^lib/[^/]+/index\\.ts$', '^$1/'],
      },
    },
    {
      name: 'no-circular',
      comment: 'a cycle makes the load order matter and hides a missing seam (a cycle of type-only imports is erased at run time)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    { name: 'not-to-unresolvable', comment: 'a relative import that names no file', severity: 'error', from: {}, to: { couldNotResolve: true, path: '^\\.' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^bench/\\.cache', '^coverage'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
