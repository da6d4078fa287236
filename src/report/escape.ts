/**
 * Escaping for the terminal: a scenario's or a trace's text (names, messages, values, file
 * names) is printed as data, never as commands to the terminal. Every printer of such text
 * (src/report/text.ts, timeline.ts, the CLI commands and its error line) goes through
 * `escapeControl`; the CLI also passes everything it writes through `terminalSafe` (src/cli/main.ts)
 * so nothing forgotten reaches the terminal raw. HTML reports escape their own way (html.ts).
 *
 * Escaped: C0 controls (U+0000-U+001F, among them ESC, BEL, CR, TAB and, in one-line text,
 * LF), DEL and the C1 controls (U+007F-U+009F), the bidirectional overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), the marks U+200E/U+200F/U+061C, and the line and paragraph
 * separators U+2028/U+2029. Each becomes `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`: visible, one
 * cell wide per character, and never a newline.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escaped(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character escaped, newlines too: for one-line text (a cell, a message, a name). */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, escaped);
}

/**
 * A control character other than a newline, or one of the colours of src/report/colour.ts
 * (SGR 1, 2, 22, 31, 32, 33, 36, 39), which `terminalSafe` lets through.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_COLOUR = /\u001b\[(?:1|2|22|31|32|33|36|39)m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What the progress line (src/report/progress.ts) starts every write with: back to the line's start, erase it. */
const ERASE_LINE = '\r\u001b[2K';

/**
 * Whole output for a terminal: control characters escaped as by `escapeControl`, except the
 * newlines that end lines, interleave's colours, and the progress line's erase at the start of a
 * write. The last line of defence: text that reaches it from a scenario should already have been escaped.
 */
export function terminalSafe(text: string): string {
  if (text.startsWith(ERASE_LINE)) return ERASE_LINE + terminalSafe(text.slice(ERASE_LINE.length));
  return text.replace(CONTROL_OR_COLOUR, (m) => (m.length > 1 ? m : escaped(m)));
}
