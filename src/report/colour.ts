/**
 * ANSI colour, decided once by the CLI and passed down. Library code never looks at the
 * terminal itself: a report formatted with `NO_COLOUR` is plain text.
 */
export interface Colours {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string): string => s;

export const NO_COLOUR: Colours = { enabled: false, red: same, green: same, yellow: same, cyan: same, bold: same, dim: same };

export const ANSI_COLOUR: Colours = {
  enabled: true,
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

/**
 * Colour is on only when the stream is a terminal, `NO_COLOR` is unset or empty
 * (https://no-color.org) and the user did not pass `--no-color`. `FORCE_COLOR=1` turns it on
 * (for screenshots); `CI` alone never does, so piped CI logs stay clean.
 */
export function chooseColours(stream: { isTTY?: boolean }, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Colours {
  if (flag === false) return NO_COLOUR;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return NO_COLOUR;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return ANSI_COLOUR;
  return stream.isTTY === true ? ANSI_COLOUR : NO_COLOUR;
}

/** Removes ANSI escapes (for width computations and tests). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
