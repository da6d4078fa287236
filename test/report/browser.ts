/**
 * The line test/report/html.test.ts prints when it skips for want of a browser: what is missing
 * and the command that enables it (.ci/run installs Chromium, so CI never skips).
 */
export function browserSkipLine(browser: string): string {
  return `skipped: the HTML report test in headless Chromium: no browser at ${browser}; enable it with \`apt-get install -y chromium\` (or set CHROMIUM=<path>)`;
}
