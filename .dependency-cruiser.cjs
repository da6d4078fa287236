/**
 * The layers of src/ (docs/ARCHITECTURE.md): a module imports only from its own layer or below,
 * type-only imports included, and no import circle. Checked by `npm run check:layers`, which
 * `npm test` runs (test/docs/architecture.test.ts).
 */
const LAYERS = [
  { name: 'runtime', path: '^src/runtime/' },
  { name: 'primitives and strategies', path: '^src/(primitives|strategies)/' },
  { name: 'scenario', path: '^src/(trace/|(scenario|context|names|paramValues|definedIn|expectation|loader|asyncMutex)[.]ts$)' },
  { name: 'drivers', path: '^src/(search/|shrink/|verdict/|heartbeat/|(run|series|replay|explore|partition|snapshot|shape|samplingReport)[.]ts$)' },
  { name: 'supervisor', path: '^src/(parallel|robust)/' },
  { name: 'cli, vitest, report', path: '^src/(cli/|report/|(vitest|index)[.]ts$)' },
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-import-up-from-${layer.name.replace(/[^a-z]+/g, '-')}`,
  comment: `${layer.name} imports only from its own layer or below`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import circle, type-only imports included', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    ...upward,
    { name: 'cli-is-a-leaf', comment: 'only the command line imports src/cli/', severity: 'error', from: { path: '^src/', pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    {
      name: 'every-module-in-a-layer',
      comment: 'a new file under src/ belongs to one of the layers above (add it to LAYERS)',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map((l) => l.path) },
      to: {},
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
