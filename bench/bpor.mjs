// pb with reduction (bounded partial-order reduction) against pb without and db: executions and
// seconds to finish bounds 0, 1 and 2 (each bound its own search, from the root), on the
// writers-checker fixture's fixed variant (writers = 4..11) and on bundled fixed variants
// (docs/search.md, "Preemption bounding with reduction"). A run stopped by the time limit says
// so ('>' before its executions).
//   npm run build && node bench/bpor.mjs [--time seconds] [--writers 4..11] [--json]
import { fileURLToPath } from 'node:url';
import { search } from '../dist/index.js';
import { loadScenario } from '../dist/loader.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(opt('--time', '30'));
const [lo, hi] = opt('--writers', '4..11').split('..').map(Number);
const json = args.includes('--json');
const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

const programs = [];
const wc = (await loadScenario(root('test/fixtures/search/writers-checker.ts'))).scenario;
for (let n = lo; n <= hi; n++) programs.push({ name: `writers-checker fixed, ${n} writers`, scenario: wc, variant: 'fixed', params: { writers: n } });
for (const name of (opt('--bundled', 'rapid-create-delete,multi-client-disconnect')).split(',').filter(Boolean)) {
  programs.push({ name: `${name} fixed`, scenario: (await loadScenario(root(`scenarios/${name}.ts`))).scenario, variant: 'fixed', params: {} });
}

const ways = [
  ['pb reduced', { strategy: 'pb' }],
  ['pb', { strategy: 'pb', por: false }],
  ['db', { strategy: 'db' }],
];
const rows = [];
for (const p of programs) {
  const row = { program: p.name, cells: {} };
  for (const [way, options] of ways) {
    const cells = [];
    let stopped = false;
    for (const bound of [0, 1, 2]) {
      if (stopped) {
        cells.push(null);
        continue;
      }
      const r = await search(p.scenario, { ...options, variant: p.variant, params: p.params, preemptionBound: bound, timeLimitMs: seconds * 1000, crossCheck: 0 });
      const done = r.stoppedBy !== 'time';
      cells.push({ bound, executions: r.executions, seconds: r.elapsedMs / 1000, done, complete: r.complete, failure: r.failure?.kind ?? null });
      // A larger bound re-runs the smaller ones: not finished at this one, not at the next.
      if (!done) stopped = true;
    }
    row.cells[way] = cells;
  }
  rows.push(row);
  if (!json) {
    const cell = (c) => (c === null ? '-' : `${c.done ? '' : '>'}${c.executions.toLocaleString('en-US')} (${c.seconds.toFixed(1)} s)${c.failure !== null ? ` ${c.failure}` : ''}${c.done && c.complete ? ' all' : ''}`);
    console.log(`| ${p.name} | ${ways.map(([w]) => row.cells[w].map(cell).join(' / ')).join(' | ')} |`);
  }
}
if (json) console.log(JSON.stringify(rows, null, 2));
