// Sections built on modules other engineers own: the exhaustive search (src/search) and the
// shrinker (src/shrink). Each says so when its module is not in this build.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);

/** DPOR (source-DPOR with sleep sets) vs plain DFS on the search test programs: executions to exhaust each. */
export async function benchSearch({ log, table }) {
  if (!existsSync(dist('search/index.js'))) {
    log('\nDPOR vs DFS: not available (no src/search in this build)\n');
    return { available: false };
  }
  const { search } = await import(dist('search/index.js'));
  const { tsImport } = await import('tsx/esm/api');
  const programsFile = new URL('../test/unit/search/programs.ts', import.meta.url);
  const p = await tsImport(programsFile.href, import.meta.url);
  const programs = [
    ['disjoint 3×3', p.disjoint(3, 3)],
    ['disjoint 4×2', p.disjoint(4, 2)],
    ['readers 4', p.readers(4)],
    ['lastzero 3', p.lastzero(3)],
  ];
  const rows = [];
  const out = [];
  for (const [name, scenario] of programs) {
    const row = { program: name };
    for (const por of [true, false]) {
      const t0 = performance.now();
      const r = await search(scenario, { strategy: 'dfs', por, maxExecutions: 200_000, timeLimitMs: 60_000 });
      row[por ? 'dpor' : 'dfs'] = { executions: r.executions, complete: r.completeExecutions, exhausted: r.complete, ms: Math.round(performance.now() - t0) };
    }
    out.push(row);
    rows.push([name, String(row.dfs.executions) + (row.dfs.exhausted ? '' : '+'), String(row.dpor.executions) + (row.dpor.exhausted ? '' : '+'), `${(row.dfs.executions / row.dpor.executions).toFixed(1)}×`, `${row.dfs.ms} ms`, `${row.dpor.ms} ms`]);
  }
  log(`\nexhaustive search: executions to explore everything (+: budget hit)\n${table(['program', 'DFS', 'DPOR', 'fewer', 'DFS time', 'DPOR time'], rows)}\n`);
  return { available: true, programs: out };
}

/** Shrink time and steps/preemptions before → after for every buggy variant of the audit scenarios. */
export async function benchShrink({ log, table, quick }) {
  if (!existsSync(dist('shrink/measure.js'))) {
    log('\nshrink: not available (no src/shrink in this build)\n');
    return { available: false };
  }
  const { measureShrink } = await import(dist('shrink/measure.js'));
  const { loadScenario } = await import(dist('loader.js'));
  const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).sort() : [];
  const rows = [];
  const out = [];
  for (const f of files) {
    const { scenario } = await loadScenario(`${dir}${f}`);
    for (const [variant, spec] of Object.entries(scenario.variants)) {
      if (spec.expect === 'pass') continue;
      const m = await measureShrink(scenario, variant, { explore: { seed: 1, ...(quick ? { iterations: 2000 } : {}) } });
      out.push({ scenario: m.scenario, variant, found: m.found, before: { steps: m.before.steps, preemptions: m.before.preemptions }, after: { steps: m.after.steps, preemptions: m.after.preemptions }, attempts: m.attempts, shrinkMs: Math.round(m.shrinkMs) });
      rows.push([`${m.scenario} [${variant}]`, m.found ? `${m.before.steps} → ${m.after.steps}` : 'not found', m.found ? `${m.before.preemptions} → ${m.after.preemptions}` : '', String(m.attempts), m.found ? `${Math.round(m.shrinkMs)} ms` : '']);
    }
  }
  if (rows.length === 0) {
    log('\nshrink: no audit scenarios in scenarios/\n');
    return { available: false };
  }
  log(`\nshrink (seed 1): steps and preemptions before → after\n${table(['scenario', 'steps', 'preemptions', 'attempts', 'shrink time'], rows)}\n`);
  return { available: true, scenarios: out };
}
