// Instructions per schedule, counted by valgrind (cachegrind), for the three contenders of the
// throughput bench: `npm run bench:instructions` (needs valgrind: apt-get install -y valgrind).
//   node bench/instructions.mjs [--workload short|long] [--seeds 1,2] [--contenders interleave]
// To judge a change, count a baseline build the same way: `git worktree add ../base <commit>`,
// link node_modules into it, build it, and run its copy of this script.
//
// Why: on a shared machine, wall-clock rounds of the same code vary by ±30%, more than most
// changes worth measuring. An instruction count is the same from run to run (to ~0.1% for one
// V8 hash seed and one checkout; the same build in another folder moved by ~2%, as paths change
// hash-table layouts). Any edit also moves the JIT's choices (removing work once counted +2.6%),
// so read differences under ~3% as noise. It is not time: it does not see cache misses or
// GC parallelism, so the throughput bench stays the judge of the goals.
//
// Method: each contender runs in `node --single-threaded` (JIT and GC on the main thread, so
// counts do not depend on thread timing) with fixed V8 hash and random seeds, twice: n1 and n2
// schedules of one exploration (bench/contender.mjs, no warm-up). The difference, divided by
// n2 - n1, is the steady-state cost of one schedule, free of start-up and warm-up. The
// layout of V8's hash tables moves counts by ~1-2% from one hash seed to another; give several
// seeds to see it.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
// No separate warm-up: the difference of a run of n1 and one of n2 schedules is schedules n1..n2
// of one exploration, long after its JIT settled. (A warm-up on another scenario object, then a
// fresh exploration, counted 25% more per schedule for interleave, probably while code
// specialised to the first scenario is deoptimised (`--trace-deopt`: "weak objects") and rebuilt.)
// `real`: the real-code workload (bench/realCode.mjs: 3 requests through an unchanged service and
// cache), interleave under t.io against fast-check's scheduleFunction; no raw contender.
const WORKLOADS = {
  short: { tasks: 3, steps: 5, warmup: 0, n1: 20_000, n2: 40_000 },
  long: { tasks: 4, steps: 250, warmup: 0, n1: 300, n2: 700 },
  real: { tasks: 3, steps: 0, warmup: 0, n1: 5_000, n2: 10_000, keys: { interleave: 'interleaveReal', fastCheck: 'fastCheckReal' } },
};
const workload = WORKLOADS[arg('--workload', 'short')];
if (workload === undefined) {
  process.stderr.write(`bench/instructions.mjs: --workload must be one of ${Object.keys(WORKLOADS).join(', ')}\n`);
  process.exit(2);
}
const seeds = arg('--seeds', '1').split(',').map(Number);
const contenders = arg('--contenders', workload.keys === undefined ? 'interleave,fastCheck,raw' : 'interleave,fastCheck').split(',');
const allowed = workload.keys === undefined ? ['interleave', 'fastCheck', 'raw'] : Object.keys(workload.keys);
if (!contenders.includes('interleave') || contenders.some((c) => !allowed.includes(c))) {
  process.stderr.write(`bench/instructions.mjs: --contenders lists interleave and any of ${allowed.filter((c) => c !== 'interleave').join(', ')}\n`);
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('bench/instructions.mjs: valgrind is not installed (apt-get install -y valgrind)\n');
  process.exit(2);
}
const contender = fileURLToPath(new URL('./contender.mjs', import.meta.url));

/** Instructions of one whole process run (valgrind's "I refs"). */
function count(key, n, seed) {
  const node = ['--single-threaded', `--hash-seed=${seed}`, `--random-seed=${seed}`, '--expose-gc', contender, workload.keys?.[key] ?? key, String(workload.tasks), String(workload.steps), String(n), '1', String(workload.warmup)];
  return new Promise((resolve, reject) => {
    const p = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, ...node], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (code !== 0 || m === null) reject(new Error(`valgrind ${key} n=${n} failed (exit ${code}): ${err.slice(-300)}`));
      else resolve(Number(m[1].replaceAll(',', '')));
    });
  });
}

/** Steady-state instructions per schedule: two runs, two at a time (this machine has two cores). */
async function perSchedule(key, seed) {
  const [a, b] = await Promise.all([count(key, workload.n1, seed), count(key, workload.n2, seed)]);
  // The two runs differ only by schedules n1..n2 of the steady state.
  return Math.round((b - a) / (workload.n2 - workload.n1));
}

const label = workload.keys === undefined ? `${workload.tasks} tasks × ${workload.steps} steps` : `real code, ${workload.tasks} requests`;
process.stdout.write(`instructions per schedule, ${label} (valgrind cachegrind, node --single-threaded)\n`);
for (const seed of seeds) {
  const r = {};
  for (const key of contenders) r[key] = await perSchedule(key, seed);
  const x = (k) => (r[k] / r.interleave).toFixed(2);
  const parts = [`interleave ${r.interleave.toLocaleString('en-US')}`];
  if (r.fastCheck !== undefined) parts.push(`fast-check ${r.fastCheck.toLocaleString('en-US')} (${x('fastCheck')}×)`);
  if (r.raw !== undefined) parts.push(`raw ${r.raw.toLocaleString('en-US')} (${x('raw')}×)`);
  process.stdout.write(`hash seed ${seed}: ${parts.join(', ')}\n`);
}
