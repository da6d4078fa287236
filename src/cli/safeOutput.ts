import { terminalSafe } from '../report/escape.js';

/**
 * Until the returned function is called, everything written to stdout and stderr goes through
 * `terminalSafe` (src/report/escape.ts): a control character from a scenario or a trace that a
 * printer forgot to escape reaches the terminal as `\x1b`, never as a command. Called by `main`
 * around every command except `explore`, whose prompt (node:readline) draws with escape
 * sequences of its own; it restores the streams' own `write` in a `finally`.
 */
export function guardOutput(): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const [i, s] of streams.entries()) {
    const write = originals[i]!;
    s.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
      (write as (c: string | Uint8Array, ...r: unknown[]) => boolean).call(s, typeof chunk === 'string' ? terminalSafe(chunk) : chunk, ...rest)) as typeof s.write;
  }
  return () => {
    for (const [i, s] of streams.entries()) s.write = originals[i]!;
  };
}
