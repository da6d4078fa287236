/** Characters a POSIX shell reads as themselves in a word: such a word is printed as is. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `word` as one shell word, for a command printed to be pasted (the `replay:` line): as is when
 * plain, in single quotes otherwise (`'it'\''s'`), and as `$'...'` (bash, zsh) when it holds a
 * control character such as a newline, so the command stays on one line. Called by replayCommand.
 */
export function shellQuote(word: string): string {
  if (PLAIN.test(word)) return word;
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f]/.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  const escaped = [...word]
    .map((ch) => {
      if (ch === '\\' || ch === "'") return `\\${ch}`;
      const code = ch.charCodeAt(0);
      if (ch === '\n') return '\\n';
      if (ch === '\t') return '\\t';
      if (ch === '\r') return '\\r';
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    })
    .join('');
  return `$'${escaped}'`;
}
