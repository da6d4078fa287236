// Executions to the first failure, per strategy: every buggy variant (expect other than 'pass')
// of the bundled scenarios and of the test fixtures that have them, seeds 1-5, random, pct and
// pos and portfolio, each within the variant's own budget (its iterations, else 1000). Prints one row a
// variant (the five seeds' counts, '-' for not found) and whether portfolio found every bug
// random found (docs/search.md, "Measured: the portfolio against random and pct").
//   npm run build && node bench/portfolio.mjs [--json] [dir or scenario file ...]
import { fileURLToPath } from 'node:url';
import { explore } from '../dist/index.js';
import { loadAll, loadScenario } from '../dist/loader.js';

const STRATEGIES = ['random', 'pct', 'pos', 'portfolio'];
const SEEDS = [1, 2, 3, 4, 5];
const SPINS = ['rare-runaway'];
const args = process.argv.slice(2);
const json = args.includes('--json');
const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const dirs = args.filter((a) => a !== '--json');
const from = dirs.length > 0 ? dirs : [root('scenarios'), root('test/fixtures/scenarios'), root('test/fixtures/split'), root('test/fixtures/real'), root('test/fixtures/track'), root('test/unit/parallel/fixtures/branching.ts')];

const rows = [];
for (const dir of from) {
  for (const { scenario, file } of /\.[mc]?[jt]s$/.test(dir) ? [await loadScenario(dir)] : await loadAll(dir)) {
    // Spins without a scheduling point by design: only a watched run (--watchdog) gets out.
    if (SPINS.includes(scenario.name)) continue;
    for (const [variant, v] of Object.entries(scenario.variants)) {
      if (v.expect === 'pass') continue;
      const budget = { ...scenario.budget, ...v.budget };
      const iterations = budget.iterations ?? 1000;
      const row = { scenario: scenario.name, variant, iterations, found: {} };
      for (const strategy of STRATEGIES) {
        row.found[strategy] = [];
        for (const seed of SEEDS) {
          const r = await explore(scenario, { file, variant, strategy, seed, iterations, timeLimitMs: 60_000 });
          row.found[strategy].push(r.failure === null ? null : r.executions);
        }
      }
      rows.push(row);
      if (!json) process.stdout.write(line(row));
    }
  }
}

function line(row) {
  const cells = STRATEGIES.map((s) => `${s} ${row.found[s].map((n) => n ?? '-').join(' ')}`);
  return `${row.scenario}/${row.variant} (budget ${row.iterations}): ${cells.join(' | ')}\n`;
}

const misses = [];
for (const row of rows) SEEDS.forEach((seed, i) => row.found.random[i] !== null && row.found.portfolio[i] === null && misses.push(`${row.scenario}/${row.variant} seed ${seed}`));
const total = (s) => rows.reduce((n, r) => n + r.found[s].filter((x) => x !== null).length, 0);
const summary = { pairs: rows.length * SEEDS.length, found: Object.fromEntries(STRATEGIES.map((s) => [s, total(s)])), portfolioMissesRandomFinds: misses };
if (json) process.stdout.write(`${JSON.stringify({ rows, summary }, null, 2)}\n`);
else process.stdout.write(`\n${JSON.stringify(summary)}\n`);
