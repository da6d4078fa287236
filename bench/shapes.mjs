// Issue 26's program shapes (test/fixtures/shapes/, test/fixtures/search/writers-checker.ts):
// for every buggy program and every strategy, the executions and seconds to the first failure
// (the samplers random, pct, pos and portfolio with seeds 1-5; the searches db, pb with its
// reduction and dfs once, deterministic), within a cap of executions; then, for the fixed
// programs, the executions and seconds db and pb take to finish every schedule up to bound 2,
// and dfs to finish every schedule, within a cap. docs/bench.md ("Program shapes") has a run.
//   npm run bench:shapes   (builds, then: node bench/shapes.mjs [--cap N] [--proof-cap N]
//                           [--time s] [--only writers-checker,...] [--fixed-only | --buggy-only] [--json])
//   node bench/shapes.mjs --from run.json   (prints the tables of a saved --json run)
// A cell is `executions (seconds)`, or `>executions` when the cap or the time limit came first;
// a search's cell also names the bound it failed at (`b1`). Every count is deterministic; only
// the seconds depend on the machine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { explore, search } from '../dist/index.js';
import { loadScenario } from '../dist/loader.js';
import { count, table, when } from './table.mjs';

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const CAP = flag('--cap', 10_000);
const PROOF_CAP = flag('--proof-cap', 200_000);
const SECONDS = flag('--time', 120);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const json = args.includes('--json');
const SEEDS = [1, 2, 3, 4, 5];
const SAMPLERS = ['random', 'pct', 'pos', 'portfolio'];
/** The largest bound a search may go to while looking for a bug (philosophers need n - 1). */
const SEARCH_BOUND = 8;

const file = (p) => fileURLToPath(new URL(`../test/fixtures/${p}`, import.meta.url));
const FIXTURES = {
  'writers-checker': file('search/writers-checker.ts'),
  'two-stage': file('shapes/two-stage.ts'),
  'lock-per-writer': file('shapes/lock-per-writer.ts'),
  'dining-philosophers': file('shapes/dining-philosophers.ts'),
};
/** The programs, each at the sizes issue 26 names; `tasks` counts main too. */
const PROGRAMS = [
  { name: 'writers-checker', params: { writers: 10 }, tasks: 12 },
  { name: 'writers-checker', params: { writers: 20 }, tasks: 22 },
  { name: 'two-stage', params: { stagers: 99, readers: 1 }, tasks: 101 },
  { name: 'two-stage', params: { stagers: 9, readers: 1 }, tasks: 11 },
  { name: 'lock-per-writer', params: { writers: 10 }, tasks: 11 },
  { name: 'lock-per-writer', params: { writers: 20 }, tasks: 21 },
  { name: 'dining-philosophers', params: { philosophers: 3 }, tasks: 4 },
  { name: 'dining-philosophers', params: { philosophers: 5 }, tasks: 6 },
  { name: 'dining-philosophers', params: { philosophers: 7 }, tasks: 8 },
].filter((p) => ONLY === null || ONLY.includes(p.name));

const label = (p) => `${p.name} ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')} (${p.tasks} tasks)`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const scenarios = new Map();
const load = async (name) => scenarios.get(name) ?? scenarios.set(name, (await loadScenario(FIXTURES[name])).scenario).get(name);

/** A sampler's executions to the first failure, one run per seed. */
async function sample(p, strategy) {
  const scenario = await load(p.name);
  const runs = [];
  for (const seed of SEEDS) {
    const r = await explore(scenario, { variant: 'buggy', params: p.params, strategy, seed, iterations: CAP, timeLimitMs: SECONDS * 1000 });
    runs.push({ found: r.failure !== null, executions: r.executions, ms: r.elapsedMs, kind: r.failure?.kind ?? null, foundBy: r.sampling?.foundBy ?? null });
  }
  return runs;
}

/** One search of a variant: to the first failure (buggy) or to the end of its bound (fixed). */
async function searchOnce(p, variant, strategy, bound, cap) {
  const scenario = await load(p.name);
  const options = { variant, params: p.params, strategy, maxExecutions: cap, timeLimitMs: SECONDS * 1000, crossCheck: 0, ...(strategy === 'dfs' ? {} : { preemptionBound: bound }) };
  const r = await search(scenario, options);
  return {
    found: r.failure !== null,
    kind: r.failure?.kind ?? null,
    executions: r.executions,
    ms: r.elapsedMs,
    stoppedBy: r.stoppedBy,
    complete: r.complete,
    completeUpTo: r.bound?.completeUpTo ?? null,
    minimalFailing: r.bound?.minimalFailing ?? null,
  };
}

const sampleCell = (runs) => runs.map((r) => (r.found ? count(r.executions) : `>${count(r.executions)}`)).join(' ');
const sampleSeconds = (runs) => seconds(runs.reduce((s, r) => s + r.ms, 0));
const bugCell = (r) => (r.found ? `${count(r.executions)}${r.minimalFailing !== null ? ` b${r.minimalFailing}` : ''} (${seconds(r.ms)})` : `>${count(r.executions)} (${seconds(r.ms)}${r.completeUpTo !== null ? `, clean to b${r.completeUpTo}` : ''})`);
const proofCell = (r, bound) => {
  if (r.found) return `FAILS: ${r.kind}`;
  const done = r.strategy === 'dfs' ? r.complete : r.complete || (r.completeUpTo !== null && r.completeUpTo >= bound);
  return `${done ? '' : '>'}${count(r.executions)} (${seconds(r.ms)}${!done && r.completeUpTo !== null ? `, to b${r.completeUpTo}` : ''})`;
};

const FROM = args.includes('--from') ? args[args.indexOf('--from') + 1] : null;
const out = FROM !== null ? JSON.parse(readFileSync(FROM, 'utf8')) : { when: await when(), cap: CAP, proofCap: PROOF_CAP, seconds: SECONDS, buggy: [], fixed: [] };
if (FROM === null && !json) console.log(`bench/shapes.mjs, ${out.when}; cap ${count(CAP)} executions to a failure, ${count(PROOF_CAP)} for a proof, ${SECONDS} s a run`);

if (FROM === null && !args.includes('--fixed-only')) {
  for (const p of PROGRAMS) {
    const row = { program: label(p), params: p.params, samplers: {}, searches: {} };
    for (const s of SAMPLERS) row.samplers[s] = await sample(p, s);
    for (const s of ['db', 'pb', 'dfs']) row.searches[s] = await searchOnce(p, 'buggy', s, SEARCH_BOUND, CAP);
    out.buggy.push(row);
    if (!json) console.log(`  ${row.program}: done`);
  }
}
if (FROM === null && !args.includes('--buggy-only')) {
  for (const p of PROGRAMS) {
    const cells = {};
    for (const s of ['db', 'pb']) cells[s] = { ...(await searchOnce(p, 'fixed', s, 2, PROOF_CAP)), strategy: s };
    cells.dfs = { ...(await searchOnce(p, 'fixed', 'dfs', 0, PROOF_CAP)), strategy: 'dfs' };
    out.fixed.push({ program: label(p), params: p.params, ...cells });
    if (!json) console.log(`  ${label(p)} fixed: done`);
  }
}

if (json) {
  console.log(JSON.stringify(out, null, 2));
} else {
  if (FROM !== null) console.log(`bench/shapes.mjs, ${out.when}; cap ${count(out.cap)} executions to a failure, ${count(out.proofCap)} for a proof, ${out.seconds} s a run`);
  if (out.buggy.length > 0) {
    const rows = out.buggy.map((row) => [row.program, ...SAMPLERS.map((s) => `${sampleCell(row.samplers[s])} (${sampleSeconds(row.samplers[s])})`), ...['db', 'pb', 'dfs'].map((s) => bugCell(row.searches[s]))]);
    console.log(`\nExecutions to the first failure (samplers: seeds 1-5, seconds summed; searches: bN = the minimal failing bound)\n${table(['program (buggy)', ...SAMPLERS, 'db', 'pb (reduced)', 'dfs'], rows)}`);
  }
  if (out.fixed.length > 0) {
    const rows = out.fixed.map((f) => [f.program, proofCell(f.db, 2), proofCell(f.pb, 2), proofCell(f.dfs, 0)]);
    console.log(`\nFixed variants: executions to finish every schedule up to bound 2 (db, pb) or every schedule (dfs); '>' = cap or time first\n${table(['program (fixed)', 'db to bound 2', 'pb (reduced) to bound 2', 'dfs, all'], rows)}`);
  }
}
