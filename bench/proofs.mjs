// The proof of every bundled fixed variant (bench/proofs.json): runs each listed search at the
// scenario's default parameters and prints its executions, seconds and verdict; exits 1 when a
// proof does not finish clean within the time limit, or when a fixed variant of scenarios/ has
// no proof in the list. test/long/proofs.test.ts asserts the same; docs/search.md ("Proofs of
// the bundled fixed variants") has a run.
//   npm run bench:proofs   (builds, then: node bench/proofs.mjs [--time seconds] [--only name,...])
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { search } from '../dist/index.js';
import { loadAll } from '../dist/loader.js';
import { count, table, when } from './table.mjs';

const args = process.argv.slice(2);
const SECONDS = args.includes('--time') ? Number(args[args.indexOf('--time') + 1]) : 120;
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const { proofs } = JSON.parse(readFileSync(new URL('./proofs.json', import.meta.url), 'utf8'));
const scenarios = new Map((await loadAll(fileURLToPath(new URL('../scenarios', import.meta.url)))).map(({ scenario }) => [scenario.name, scenario]));

/** What the proof claims, in words: `dfs (all)`, `db to bound 3`. */
const claim = (p) => (p.strategy === 'dfs' ? 'dfs, every schedule' : `${p.strategy}, bound ${p.bound}`);

const missing = [];
for (const s of scenarios.values()) {
  for (const [variant, v] of Object.entries(s.variants)) if (v.expect === 'pass' && !proofs.some((p) => p.scenario === s.name && p.variant === variant)) missing.push(`${s.name} [${variant}]`);
}

console.log(`bench/proofs.mjs, ${await when()}; ${SECONDS} s a proof`);
const rows = [];
let failed = missing.length > 0;
for (const p of proofs.filter((q) => ONLY === null || ONLY.includes(q.scenario))) {
  const r = await search(scenarios.get(p.scenario), { variant: p.variant, strategy: p.strategy, ...(p.bound !== undefined ? { preemptionBound: p.bound } : {}), timeLimitMs: SECONDS * 1000 });
  const proven = r.failure === null && (p.strategy === 'dfs' ? r.complete : r.complete || (r.bound?.completeUpTo ?? -1) >= p.bound);
  failed ||= !proven;
  const verdict = proven ? 'proven' : r.failure !== null ? `FAILS: ${r.failure.kind}` : `NOT FINISHED (${r.stoppedBy})`;
  rows.push([`${p.scenario} [${p.variant}]`, claim(p), count(r.executions), `${(r.elapsedMs / 1000).toFixed(1)} s`, verdict]);
}
console.log(table(['scenario [variant]', 'proof', 'executions', 'time', 'verdict'], rows));
if (missing.length > 0) console.log(`no proof listed in bench/proofs.json for: ${missing.join(', ')}`);
process.exit(failed ? 1 : 0);
