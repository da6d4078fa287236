// Deep bugs: executions to the first failure of random, PCT (depths 3-6), POS and fuzz on the
// deep-bug fixtures (test/fixtures/deep/), seeds 1-5; then the reads-from coverage each
// strategy reaches over executions on the fixtures' fixed variants (seed 1). `npm run
// bench:deep` (builds, then runs this); not part of `npm run bench`, it takes minutes.
//   node bench/deep.mjs [--cap N] [--seeds N] [--coverage-only | --scaling] [--only elided-lock,...]
// A cell is the executions until the first failure, `>cap` when none was found within the cap.
// Deterministic: the same numbers on every machine (only the seconds column depends on it).
import { fileURLToPath } from 'node:url';
import { explore } from '../dist/index.js';
import { loadScenario } from '../dist/loader.js';
import { coverageMonitor, ReadsFrom } from '../dist/strategies/readsFrom.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const CAP = flag('--cap', 100_000);
const SEEDS = flag('--seeds', 5);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;

/** Each fixture with its minimal preemption count, established by pb (test/unit/deep/deep.test.ts, test/long/deep.test.ts). */
const FIXTURES = [
  { file: 'aba-stack.ts', variant: 'buggy', preemptions: 3 },
  { file: 'hit-counter.ts', variant: 'buggy', preemptions: 4 },
  { file: 'torn-snapshot.ts', variant: 'buggy', preemptions: 5 },
  { file: 'elided-lock.ts', variant: 'buggy', preemptions: 7 },
].filter((f) => ONLY === null || ONLY.includes(f.file.replace(/\.ts$/, '')));
const STRATEGIES = [
  { label: 'random', strategy: 'random' },
  ...[3, 4, 5, 6].map((depth) => ({ label: `pct d=${depth}`, strategy: 'pct', depth })),
  { label: 'pos', strategy: 'pos' },
  { label: 'fuzz', strategy: 'fuzz' },
];

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
const load = async (f) => (await loadScenario(fileURLToPath(new URL(`../test/fixtures/deep/${f.file}`, import.meta.url)))).scenario;

/** Prints the executions to the first failure of each strategy and seed on one fixture. */
async function firstFailures(f, strategies) {
  const scenario = await load(f);
  const rows = [];
  for (const s of strategies) {
    const cells = [];
    const start = performance.now();
    for (const seed of seeds) {
      const r = await explore(scenario, { variant: f.variant, strategy: s.strategy, seed, iterations: CAP, ...(s.depth ? { depth: s.depth } : {}), ...(f.params ? { params: f.params } : {}) });
      cells.push(r.failure === null ? `>${CAP.toLocaleString('en-US')}` : r.executions.toLocaleString('en-US'));
    }
    const found = cells.filter((c) => !c.startsWith('>')).length;
    rows.push([s.label, ...cells, `${found}/${SEEDS}`, ((performance.now() - start) / 1000).toFixed(1)]);
  }
  const params = f.params ? ` (params: ${Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(' ')})` : '';
  console.log(`\n${scenario.name} [${f.variant}]${params} (bug needs ${f.preemptions} preemptions), executions to the first failure, cap ${CAP.toLocaleString('en-US')}`);
  console.log(table(['strategy', ...seeds.map((s) => `seed ${s}`), 'found', 's'], rows));
}

// `--scaling` (only this part): elided-lock made deeper by its `retries` parameter (the bug needs
// 2·retries + 1 preemptions: pb proves it for 1 to 3 retries in the tests, 4 by hand,
// docs/bench.md), for the sampling strategies; PCT is left out (0 of 5 at every depth already
// at 3 retries).
if (args.includes('--scaling')) {
  for (const retries of [4, 5, 6]) await firstFailures({ file: 'elided-lock.ts', variant: 'buggy', preemptions: 2 * retries + 1, params: { retries } }, STRATEGIES.filter((s) => s.depth === undefined));
  process.exit(0);
}

for (const f of args.includes('--coverage-only') ? [] : FIXTURES) await firstFailures(f, STRATEGIES);

// Coverage over executions: the distinct reads-from pairs (src/strategies/readsFrom.ts) each
// strategy's executions produced, measured alike for all by a monitor that changes no decision,
// on the fixed variants (no failure ends a run). Executions [0, c) for each checkpoint c, run as
// consecutive ranges of one run (every sampling strategy's execution i depends only on the seed
// and i, and fuzz learns per block of 250, so ranges give what one run gives).
const CHECKPOINTS = [100, 1_000, 10_000];
const COVERED = [
  { label: 'random', strategy: 'random' },
  { label: 'pct d=3', strategy: 'pct', depth: 3 },
  { label: 'pos', strategy: 'pos' },
  { label: 'fuzz', strategy: 'fuzz' },
];
for (const f of FIXTURES) {
  const scenario = await load(f);
  const rows = [];
  for (const s of COVERED) {
    const coverage = new ReadsFrom();
    const cells = [];
    let done = 0;
    for (const c of CHECKPOINTS) {
      await explore(scenario, { variant: 'fixed', strategy: s.strategy, seed: 1, iterations: c - done, firstExecution: done, monitor: coverageMonitor(coverage), ...(s.depth ? { depth: s.depth } : {}) });
      done = c;
      cells.push(coverage.pairs.size.toLocaleString('en-US'));
    }
    rows.push([s.label, ...cells]);
  }
  console.log(`\n${scenario.name} [fixed], reads-from pairs seen after N executions (seed 1)`);
  console.log(table(['strategy', ...CHECKPOINTS.map((c) => `N=${c.toLocaleString('en-US')}`)], rows));
}
