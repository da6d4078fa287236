/** Exit codes of the `interleave` binary: documented in the README and stable. */
export const EXIT = {
  /** Nothing failed (or, for `ci` and `run --check`, everything matched expectations). */
  OK: 0,
  /** A failure was found, or a trace reproduced its failure. */
  FAILURE: 1,
  /** Bad input or usage: unknown scenario, invalid trace file, bad option. */
  USAGE: 2,
  /** Replay diverged: the scenario no longer does what the trace recorded. */
  DIVERGED: 3,
  /** Nothing failed, but nothing was established either: the time limit ended the run before one execution was counted (src/robust/inconclusive.ts). */
  INCONCLUSIVE: 4,
  /** Interrupted (Ctrl-C / SIGTERM) before the run finished and no failure was found (128 + SIGINT). */
  INTERRUPTED: 130,
  /** interleave itself failed (an internal bug). */
  INTERNAL: 70,
} as const;
