import { chooseColours, type Colours } from '../report/colour.js';

/** Colour for stdout, from `--no-color` (commander's `color: false`), the terminal and NO_COLOR. */
export function stdoutColours(o: { color?: boolean }): Colours {
  return chooseColours(process.stdout, o.color);
}
