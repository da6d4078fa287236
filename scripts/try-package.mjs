// The first hour of a user, from the packed tarball (issue 24's acceptance): packs this package
// (its `prepack` builds dist/), then, in a throwaway project for each module kind (CommonJS, as
// `npm init -y` writes it, and ES modules), installs the tarball with typescript and vitest,
// runs `interleave init`, type-checks with TypeScript's default tsconfig (`tsc --init`) plus a
// file that uses the project's own fast-check in `param` and a map whose missing keys throw,
// runs vitest, and runs the replay command the vitest report printed, as printed.
//
//   node scripts/try-package.mjs            (npm run test:package runs it from a vitest test)
//
// Prints one line per step; the last line is `try-package: ok` (exit 0), `try-package: FAILED:
// <step>: <why>` (exit 1), or `try-package: skipped: <why>` (exit 77) when the npm registry
// cannot be reached and the npm cache cannot stand in for it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED = 77;

/** The environment of every command: this process's, less what an enclosing npm script or vitest run set. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|INIT_CWD$|NODE_OPTIONS$)/.test(k)));
ENV.NO_COLOR = '1';

class StepFailed extends Error {}
class Unreachable extends Error {}

function log(line) {
  process.stdout.write(`try-package: ${line}\n`);
}

/** Runs `command args` in `cwd`; returns its exit code and output (`shell`: one command line for /bin/sh). */
function run(cwd, command, args, { shell = false } = {}) {
  const r = spawnSync(command, args, { cwd, env: ENV, encoding: 'utf8', shell, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw new StepFailed(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `run`, failing the step unless the exit code is `code`. */
function expectRun(step, cwd, command, args, code = 0, options = {}) {
  const r = run(cwd, command, args, options);
  if (r.code !== code) throw new StepFailed(`${step}: exit ${r.code}, expected ${code}\n${r.stdout}${r.stderr}`);
  return r;
}

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|request to .* failed/;

/**
 * `npm install --prefer-offline ...`; an unreachable registry skips. With `quiet`, any warning
 * fails the step (the tarball's install must be clean; tsx's is not checked: npm warns about
 * esbuild's install script, which is tsx's, not interleave's).
 */
function install(project, packages, quiet) {
  const r = run(project, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', ...packages]);
  if (r.code !== 0 && NETWORK.test(r.stderr)) throw new Unreachable(`npm install: the registry cannot be reached (${r.stderr.split('\n').find((l) => NETWORK.test(l))?.trim()})`);
  if (r.code !== 0) throw new StepFailed(`npm install ${packages.join(' ')}: exit ${r.code}\n${r.stderr}`);
  const warnings = r.stderr.split('\n').filter((l) => /\bwarn/i.test(l));
  if (quiet && warnings.length > 0) throw new StepFailed(`npm install ${packages.join(' ')} warned:\n${warnings.join('\n')}`);
}

const TYPES_CHECK = `import fc from 'fast-check';
import { defineScenario, param } from 'interleave';

// The project's own fast-check in \`param\` (one copy of its types), and \`missing: 'throw'\`
// narrowing \`get()\` to the value type.
export default defineScenario({
  name: 'types-check',
  description: 'type-checked against the packed package',
  params: { workers: param(2, fc.integer({ min: 1, max: 3 })) },
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const m = t.map<string, number>('m', { missing: 'throw' });
    await m.set('a', t.params.workers);
    const n: number = await m.get('a');
    t.assert(n === t.params.workers, 'the value set');
  },
});
`;

/** One throwaway project of module kind `kind`, from `tarball`. */
function tryProject(tarball, kind) {
  const project = mkdtempSync(join(tmpdir(), `interleave-try-${kind}-`));
  try {
    expectRun('npm init -y', project, 'npm', ['init', '-y']);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    pkg.type = kind === 'esm' ? 'module' : 'commonjs';
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    // fast-check 3 in one project, 4 in the other: either is the one copy interleave's types use.
    const fastCheck = kind === 'cjs' ? 'fast-check@3' : 'fast-check';
    install(project, [tarball, 'typescript', 'vitest', fastCheck], true);
    log(`${kind}: installed the tarball, typescript, vitest and ${fastCheck} without a warning`);
    // The CommonJS project goes on without tsx, to see the line that asks for it.
    if (kind === 'esm') install(project, ['tsx'], false);

    const init = expectRun('npx interleave init', project, 'npx', ['interleave', 'init']);
    const ext = kind === 'esm' ? '.ts' : '.mts';
    const next = init.stdout.split('\n').find((l) => l.startsWith('next: '));
    const expected = `next: ${kind === 'esm' ? '' : 'npm i -D tsx && '}npx vitest run test/profile-cache.test${ext}`;
    if (next !== expected) throw new StepFailed(`init: printed ${JSON.stringify(next)}, expected ${JSON.stringify(expected)}`);
    log(`${kind}: interleave init wrote scenarios/profile-cache${ext} and test/profile-cache.test${ext}`);

    if (kind === 'cjs') {
      const list = expectRun('interleave list without tsx', project, 'npx', ['interleave', 'list'], 2);
      const line = `interleave: scenarios/profile-cache.mts: a TypeScript scenario needs tsx, which is not installed: npm i -D tsx\n`;
      if (list.stderr !== line) throw new StepFailed(`interleave list without tsx said ${JSON.stringify(list.stderr)}, expected ${JSON.stringify(line)}`);
      log('cjs: without tsx, a TypeScript scenario asks for it in one line (exit 2)');
      install(project, ['tsx'], false);
    }

    writeFileSync(join(project, `types-check${ext}`), TYPES_CHECK);
    expectRun('npx tsc --init', project, 'npx', ['tsc', '--init']);
    expectRun('npx tsc --noEmit (the tsconfig of tsc --init)', project, 'npx', ['tsc', '--noEmit']);
    log(`${kind}: tsc --noEmit passes with the default tsconfig`);

    const tests = expectRun('npx vitest run', project, 'npx', ['vitest', 'run']);
    const replay = tests.stdout.split('\n').find((l) => l.startsWith('replay: '));
    if (replay === undefined) throw new StepFailed(`vitest printed no replay command:\n${tests.stdout}`);
    log(`${kind}: vitest passes; the report says ${JSON.stringify(replay)}`);

    // As printed, through the shell, from the project root: reproduced is exit 1 (a failure replayed).
    const replayed = expectRun(`${replay.slice('replay: '.length)} (as printed)`, project, replay.slice('replay: '.length), [], 1, { shell: true });
    if (!/^reproduced: assertion: /m.test(replayed.stdout)) throw new StepFailed(`the printed replay command did not say reproduced:\n${replayed.stdout}${replayed.stderr}`);
    log(`${kind}: the printed replay command says reproduced`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

function main() {
  const packDir = mkdtempSync(join(tmpdir(), 'interleave-pack-'));
  try {
    const pack = expectRun('npm pack', ROOT, 'npm', ['pack', '--json', '--pack-destination', packDir]);
    const tarball = join(packDir, JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0].filename);
    log(`packed ${tarball} (prepack built dist/)`);
    for (const kind of ['cjs', 'esm']) tryProject(tarball, kind);
    log('ok');
    return 0;
  } catch (e) {
    if (e instanceof Unreachable) {
      log(`skipped: ${e.message}`);
      return SKIPPED;
    }
    if (e instanceof StepFailed) {
      log(`FAILED: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
