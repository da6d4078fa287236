/**
 * Counted nouns in every printed line (text reports, HTML reports, the CLI's messages): one place
 * that says `1 step` and `2 steps`, so no line reads `1 preemptions`. Pure.
 */

/** `1 step`, `2 steps`, `0 steps`; `word` is the singular, made plural with an `s`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
