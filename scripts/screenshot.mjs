// Regenerates docs/report-screenshot.png from a real run: `npm run screenshot` explores the bundled
// scenario lock-hierarchy [buggy] with seed 1 (the same schedule every time), writes its HTML report
// with `interleave report`, and screenshots the page in headless Chromium (playwright-core).
// Chromium: $CHROMIUM, else /usr/bin/chromium (apt-get install -y chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const BROWSER = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'docs', 'report-screenshot.png');
const SCENARIO = ['lock-hierarchy', '--variant', 'buggy', '--seed', '1'];

if (!existsSync(BROWSER)) {
  process.stderr.write(`screenshot: ${BROWSER}: no Chromium there (apt-get install -y chromium, or set CHROMIUM to its path)\n`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'interleave-screenshot-'));
try {
  const interleave = (args, ok) => {
    try {
      return execFileSync(process.execPath, [join(ROOT, 'bin', 'interleave.js'), ...args], { cwd: work, encoding: 'utf8' });
    } catch (e) {
      if (e.status === ok) return e.stdout;
      throw e;
    }
  };
  // Run from a folder of its own, so the page's replay command reads as a user's would (traces/...).
  // The run exits 1: it found the deadlock, which is what the report shows.
  interleave(['run', ...SCENARIO, '--dir', join(ROOT, 'scenarios'), '--out', 'traces'], 1);
  const trace = 'traces/lock-hierarchy.buggy.deadlock.json';
  const html = join(work, 'report.html');
  interleave(['report', trace, '-o', html], 0);
  const browser = await chromium.launch({ executablePath: BROWSER, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    await page.screenshot({ path: OUT, fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${relative(process.cwd(), OUT)} (the report of ${trace})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
