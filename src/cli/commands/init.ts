import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../runtime/errors.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import type { SetExit } from '../options.js';

interface InitOptions {
  /** Folder for the scenario (default 'scenarios', where the other commands look). */
  dir: string;
  /** Folder for the vitest test (default 'test'). */
  tests: string;
}

/** The package's templates/init folder (two levels above dist/cli/commands/ and src/cli/commands/). */
const TEMPLATES = new URL('../../../templates/init/', import.meta.url);

/**
 * `interleave init`: writes into the project in the working directory (its package.json must be
 * there) a first scenario (a get-or-load cache under `t.io`, buggy and fixed) and a vitest test
 * that runs it with `expectNoFailure`, then prints the next command. Files are `.ts` in a project
 * whose package.json says `"type": "module"`, `.mts` otherwise (`npm init -y` writes
 * `"type": "commonjs"`, where a `.ts` file is CommonJS and its `import` lines do not compile under
 * TypeScript's default `verbatimModuleSyntax`). Writes nothing when a file it would write exists:
 * a UsageError names it (exit 2).
 */
export function initCommand(o: InitOptions): number {
  const pkgFile = resolve('package.json');
  if (!existsSync(pkgFile)) throw new UsageError('package.json: not found in this folder; run interleave init in your project\'s root (npm init -y makes one)');
  const esm = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { type?: unknown }).type === 'module';
  const ext = esm ? '.ts' : '.mts';
  const scenario = join(o.dir, `profile-cache${ext}`);
  const test = join(o.tests, `profile-cache.test${ext}`);
  for (const f of [scenario, test]) if (existsSync(f)) throw new UsageError(`${portable(f)}: already exists; interleave init writes only new files (move it, or choose other folders with --dir and --tests)`);
  const sourcePath = portable(relative(o.tests, scenario));
  const relativePath = sourcePath.startsWith('.') ? sourcePath : `./${sourcePath}`;
  const testText = template('test/profile-cache.test.ts')
    .replace("from '../scenarios/profile-cache.js';", `from '${relativePath.replace(/\.(m?)ts$/, '.$1js')}';`)
    .replace("new URL('../scenarios/profile-cache.ts', import.meta.url)", `new URL('${relativePath}', import.meta.url)`);
  write(scenario, template('scenarios/profile-cache.ts'));
  write(test, testText);
  process.stdout.write(`wrote ${portable(scenario)}: a get-or-load cache under t.io, variants buggy and fixed\n`);
  process.stdout.write(`wrote ${portable(test)}: expectNoFailure on both variants\n`);
  const missing = ['vitest', 'tsx'].filter((p) => !installed(p));
  const install = missing.length > 0 ? `npm i -D ${missing.join(' ')} && ` : '';
  process.stdout.write(`next: ${install}npx vitest run ${portable(test)}\n`);
  return EXIT.OK;
}

function template(name: string): string {
  return readFileSync(new URL(name, TEMPLATES), 'utf8');
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { flag: 'wx' });
}

/** Whether the project in the working directory can import `name` (tsx: for the CLI to load a `.ts` scenario). */
function installed(name: string): boolean {
  try {
    createRequire(resolve('package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function portable(path: string): string {
  return path.split(sep).join('/');
}

export function registerInit(program: Command, setExit: SetExit): Command {
  return program
    .command('init')
    .description('start a project: write a first scenario (a get-or-load cache under t.io, buggy and fixed) and a vitest test that runs it, then print the next command')
    .option('-d, --dir <dir>', 'folder for the scenario', 'scenarios')
    .option('--tests <dir>', 'folder for the vitest test', 'test')
    .addHelpText(
      'after',
      `
Run it in your project's root (where package.json is). Files are .ts when package.json says
"type": "module", .mts otherwise. Nothing is overwritten: if a file exists, nothing is written.

Then run the test it names (\`npx vitest run test/profile-cache.test.ts\`).
` +
        examplesHelp([{ what: 'a first scenario and its vitest test, written into this project', exit: EXIT.OK, command: 'interleave init --dir first/scenarios --tests first/test' }]) +
        exitCodeHelp('init'),
    )
    .action((o: InitOptions) => setExit(initCommand(o)));
}
