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
 * Test files that run real, unchanged code (the timer globals, async hooks, promise hooks), start
 * a browser, or change what belongs to the whole process (TMPDIR, the working directory while a
 * scenario loads): each runs in a fresh process of its own. docs/testing.md says why.
 */
const ISOLATED = [
  'test/real/**/*.test.ts',
  'test/report/html.test.ts',
  'test/report/vitest.test.ts',
  'test/docs/tour.test.ts',
  'test/cli/init.test.ts',
  'test/robust/save-failure.test.ts',
  'test/robust/trust.test.ts',
  'test/unit/robust/projectImports.test.ts',
  'test/package/**/*.test.ts',
];

export default defineConfig({
  resolve,
  test: {
    ...options,
    // Three test files at once, also on a 2-core machine: many of the slow files wait on
    // subprocesses and watchdog seconds, not on the CPU, and every timing in the suite is robust
    // to load (test/robust/runaway.test.ts saturates the CPU on purpose). Measured 2026-12-08 on
    // an idle machine, the same commit: 321.8 s with two, 256.5 s with three.
    maxWorkers: 3,
    projects: [
      // The engine's, the CLI's and the supervisor's files share a process per worker (about a
      // sixth of the suite's CPU was each file's start and imports: 662 s against 551 s).
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...options.exclude, ...ISOLATED], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
