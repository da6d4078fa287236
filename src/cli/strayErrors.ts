import { setImmediate } from 'node:timers';
import { displayLocation } from '../trace/paths.js';
import { UsageError } from '../runtime/errors.js';
import { errorInfo } from '../runtime/location.js';
import { describeThrown, isInstance } from '../runtime/thrown.js';
import { UnhandledRejections } from '../runtime/unhandled.js';
import { escapeControl, terminalSafe } from '../report/escape.js';
import { EXIT } from './exitCodes.js';

/**
 * What a scenario throws or rejects outside any execution interleave can name, for one CLI
 * command: a promise left rejected that no driver claimed (an exhaustive search, which has no
 * pause to find the execution), or an operation called after its execution ended from a timer
 * (`interleave: <file>:<line>: ... was called after the execution ended ...`, thrown there as a
 * usage error). Without this, Node would print its stack and exit 1, or the command exit 0
 * with the rejection unreported. `main` starts it first and calls `finish` with its exit code,
 * which reports each one on one line and never lets the command exit 0 with one pending.
 *
 * Any other uncaught exception keeps Node's behaviour (stack, exit 1 from Node): it may come
 * from interleave itself, whose state is then unknown.
 */
export class StrayErrors {
  private readonly rejections = new UnhandledRejections();
  private readonly misuses: UsageError[] = [];
  /** Usage errors the command has already printed: a misuse left by an earlier execution (PCT's measuring run) says the same. */
  private readonly said = new Set<string>();
  /** The real `process.exit`, taken before any execution guards it (src/runtime/processGuard.ts). */
  private exit: typeof process.exit = process.exit;
  private readonly onUncaught = (error: unknown): void => {
    if (isInstance(error, UsageError)) {
      this.misuses.push(error as UsageError);
      return;
    }
    // Not ours to judge: another listener (a test runner) handles it, or it ends the process as Node would.
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`${terminalSafe(describeThrown(error).stack ?? String(describeThrown(error).message))}\n`);
    this.exit.call(process, EXIT.FAILURE);
  };

  /**
   * The process ends while the command runs: something called `process.exit` outside any
   * execution (inside one, the execution's guard turns it into a failure), e.g. a timer the
   * scenario left. Nothing after it can be reported, but exit 0 would be a false green: it
   * becomes 1, with one line saying why. (A closed output pipe is the reader's choice: bin's
   * EPIPE handler exits as it likes; `onPipeError` runs before it and says so.)
   */
  private readonly onExit = (code: number): void => {
    if (this.pipeClosed) return;
    process.stderr.write(`interleave: the process was ended (exit code ${code}) before the command finished, outside any execution (process.exit in a timer or callback the scenario left running?); what comes after was not checked\n`);
    if (code === EXIT.OK) process.exitCode = EXIT.FAILURE;
  };

  private pipeClosed = false;
  private readonly onPipeError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') this.pipeClosed = true;
  };

  start(): this {
    this.exit = process.exit;
    this.rejections.start();
    process.on('uncaughtException', this.onUncaught);
    process.on('exit', this.onExit);
    process.stdout.prependListener('error', this.onPipeError);
    process.stderr.prependListener('error', this.onPipeError);
    return this;
  }

  private stop(): void {
    this.rejections.stop();
    process.off('uncaughtException', this.onUncaught);
    process.off('exit', this.onExit);
    process.stdout.off('error', this.onPipeError);
    process.stderr.off('error', this.onPipeError);
  }

  /** The command printed this usage error itself: `finish` does not print it again. */
  told(message: string): void {
    this.said.add(message);
  }

  /** After one more pause for Node to report the last rejections: prints each, and the exit code they leave. */
  async finish(code: number): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    this.stop();
    let exit = code;
    const lines = new Set<string>();
    for (const reason of this.rejections.take()) {
      if (isInstance(reason, UsageError)) {
        this.misuses.push(reason as UsageError);
        continue;
      }
      const info = errorInfo(reason);
      const at = info.location === undefined ? '' : ` at ${displayLocation(info.location)}`;
      lines.add(`interleave: unhandled rejection in the scenario, in no execution interleave could name: ${escapeControl(`${info.name}: ${info.message}${at}`)}\n`);
      if (exit === EXIT.OK) exit = EXIT.FAILURE;
    }
    // One line per distinct rejection: every execution of a split run may leave the same one.
    for (const line of lines) process.stderr.write(line);
    // One line per distinct misuse: a timer left by every execution says the same thing each time.
    for (const message of new Set(this.misuses.splice(0).map((m) => m.message))) {
      if (this.said.has(message)) continue;
      process.stderr.write(`interleave: ${escapeControl(message)}\n`);
      if (exit === EXIT.OK) exit = EXIT.USAGE;
    }
    return exit;
  }
}
