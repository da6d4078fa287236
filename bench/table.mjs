// A plain-text table for the bench scripts: the first column left-aligned, the others right,
// a dashed rule under the header. Used by bench/shapes.mjs and bench/proofs.mjs.

/** Returns the table's lines joined by newlines; cells are printed with String(). */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `1,234` */
export const count = (n) => n.toLocaleString('en-US');

/** The date, the machine's cores and its load averages, for a measured table's heading. */
export async function when() {
  const os = await import('node:os');
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores, load ${load}`;
}
