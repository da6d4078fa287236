/**
 * Ctrl-C for long commands. The first SIGINT (or SIGTERM, as CI runners send on timeout) only
 * sets a flag: `explore` checks it between executions (it yields to the event loop every
 * ~25 ms so this handler runs), the command stops, keeps and saves every failure found so far
 * and prints its summary. A second signal exits at once with EXIT.INTERRUPTED; trace writes are
 * atomic (writeFileAtomic), so even then no half-written trace is left behind.
 *
 * Called by `interleave run`; `dispose` removes the handlers (so Node's default applies again).
 */
import { EXIT } from './exitCodes.js';

export interface Interrupt {
  /** True once a first signal arrived. Pass `() => interrupt.requested` as `shouldStop`. */
  readonly requested: boolean;
  dispose(): void;
}

export interface InterruptOptions {
  readonly write?: (text: string) => void;
  readonly exit?: (code: number) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The signal logic without the process: first call sets the flag, the second exits. */
export function interruptHandler(options: InterruptOptions = {}): { readonly requested: boolean; handle(signal: string): void } {
  const write = options.write ?? ((s: string) => process.stderr.write(s));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let count = 0;
  return {
    get requested() {
      return count > 0;
    },
    handle(signal: string): void {
      count++;
      if (count === 1) {
        write(`\ninterleave: ${signal}: stopping after the current execution and saving the failures found so far (press Ctrl-C again to quit at once)\n`);
      } else {
        write(`interleave: ${signal} again: quitting now\n`);
        exit(EXIT.INTERRUPTED);
      }
    },
  };
}

/** Installs the handler on SIGINT and SIGTERM until `dispose`. */
export function listenForInterrupt(options: InterruptOptions = {}): Interrupt {
  const h = interruptHandler(options);
  const handler = (signal: NodeJS.Signals): void => h.handle(signal);
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get requested() {
      return h.requested;
    },
    dispose() {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
