import { configDefaults, defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests import the package by name, as users do; point that name at the sources so a test
// never runs against a stale build (the CLI subprocess tests use the build on purpose).
const resolve = {
  alias: {
    'interleave/vitest': fileURLToPath(new URL('./src/vitest.ts', import.meta.url)),
    'interleave/async-mutex': fileURLToPath(new URL('./src/asyncMutex.ts', import.meta.url)),
    interleave: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
  },
};

const options = {
  include: ['test/**/*.test.ts'],
  // Long checks (big explorations, stress of the watchdog) run with `npm run test:long` (docs/testing.md).
  exclude: [...configDefaults.exclude, 'test/long/**'],
  // A timeout catches a hang, not slowness: a machine shared with other suites (load 15-20 on
  // 2 cores) stretches a 20 s test several times over.
  testTimeout: 300_000,
  hookTimeout: 300_000,
  pool: 'forks' as const,
  // What a test reads is text: no colour whatever the caller's environment says (FORCE_COLOR
  // in a CI runner coloured in-process CLI output and dependency-cruiser's; NO_COLOR wins
  // over it in src/report/colour.ts, FORCE_COLOR=0 over it in Node's own console; tests of
  // colour pass their environment explicitly).
  env: { NO_COLOR: '1', FORCE_COLOR: '0' },
};

/**
 * Test files that each need a process of their own: they replace modules or process functions
 * (vi.mock, vi.spyOn on process.cwd), or leave the process changed (the browser test: Playwright
 * enters an AsyncLocalStorage, after which Node numbers every promise for good, and
 * test/real/quiescence.test.ts's fast end of a step is then never taken; that real-code verdicts
 * do not change with one is test/real/timers.test.ts's).
 */
const ISOLATED = ['test/real/locks.test.ts', 'test/real/vi-mock.test.ts', 'test/unit/trace/paths.test.ts', 'test/report/html.test.ts'];

export default defineConfig({
  resolve,
  test: {
    ...options,
    // Two test files at once, also on a 2-core machine (vitest would run one): most of the slow
    // files wait on subprocesses and watchdog seconds, not on the CPU, and every timing in the
    // suite is robust to load (test/robust/runaway.test.ts saturates the CPU on purpose).
    maxWorkers: 2,
    // The other files share a worker process and its module graph (isolate: false): a file does
    // not import src/ and the CLI again after the file before it in the same process
    // (docs/testing.md, "Test files share a process").
    projects: [
      { resolve, test: { ...options, name: 'shared', isolate: false, exclude: [...options.exclude, ...ISOLATED] } },
      { resolve, test: { ...options, name: 'isolated', include: ISOLATED } },
    ],
  },
});
