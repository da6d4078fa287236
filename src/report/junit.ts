/** One test case of a JUnit XML report. */
export interface JUnitCase {
  readonly suite: string;
  readonly name: string;
  readonly classname: string;
  readonly seconds: number;
  /** null: passed. */
  readonly failure: { readonly message: string; readonly detail: string } | null;
}

const xml = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML (the dialect CI systems read): one <testsuite> per suite name, in first-seen order. */
export function formatJUnit(cases: readonly JUnitCase[], name = 'interleave'): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const failures = cases.filter((c) => c.failure !== null).length;
  const total = cases.reduce((s, c) => s + c.seconds, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0" time="${total.toFixed(3)}">`];
  for (const [suite, list] of suites) {
    const f = list.filter((c) => c.failure !== null).length;
    const t = list.reduce((s, c) => s + c.seconds, 0);
    out.push(`  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${f}" errors="0" skipped="0" time="${t.toFixed(3)}">`);
    for (const c of list) {
      const head = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}"`;
      if (c.failure === null) out.push(`${head}/>`);
      else out.push(`${head}>\n      <failure message="${xml(c.failure.message)}">${xml(c.failure.detail)}</failure>\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
