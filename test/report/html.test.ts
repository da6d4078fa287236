/// <reference lib="dom" />
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeTarget, replayDecisions, traceOf } from 'interleave';
import { renderHtmlReport } from '../../src/report/html.js';
import { dotToSvg } from '../../src/report/svg.js';
import { waitGraphDot, waitGraphOfTrace } from '../../src/report/waitGraph.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import { browserSkipLine } from './browser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'test-output', 'report');
const BROWSER = process.env.CHROMIUM ?? '/usr/bin/chromium';
// A fresh machine has no Chromium: the test is skipped, visibly (named in vitest's output), unless
// INTERLEAVE_REQUIRE_BROWSER is set (.ci/run sets it after installing Chromium), so CI never skips it.
const HAS_BROWSER = existsSync(BROWSER) || process.env.INTERLEAVE_REQUIRE_BROWSER === '1';
// vitest's default reporter shows a skipped file as a count only: one line says why, and how to enable it.
if (!HAS_BROWSER) console.warn(browserSkipLine(BROWSER));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!HAS_BROWSER)(`HTML report in headless Chromium (skipped when ${BROWSER} is absent)`, () => {
  it('shows one lane per task, the highlighted failing step, a marked preemption and the wait-for cycle', async () => {
    // The deadlock schedule: report takes audit, transfer preempts it and takes accounts.
    const target = makeTarget(lockOrder, { variant: 'buggy' });
    const trace = traceOf(target, { name: 'explore' }, await replayDecisions(target, [0, 2, 2, 1, 1]));
    expect(trace.failure?.kind).toBe('deadlock');
    const { edges, cycle } = waitGraphOfTrace(trace);
    const html = renderHtmlReport({ trace, waitGraphSvg: await dotToSvg(waitGraphDot(edges, cycle)), replayCommand: 'npx interleave replay traces/lock-order.buggy.deadlock.json' });
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'lock-order.html');
    writeFileSync(file, html);

    const browser = await chromium.launch({ executablePath: BROWSER, args: FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator('.lane-head').allInnerTexts()).toEqual(['main', 'transfer', 'report']);
      for (const lane of await page.locator('.lane-head').all()) expect(await lane.isVisible()).toBe(true);

      const failing = page.locator('#timeline .ev.failing');
      expect(await failing.count()).toBe(2);
      expect(await failing.first().isVisible()).toBe(true);
      expect(await failing.allInnerTexts()).toEqual(['✖ waits for lock "audit", which report holds', '✖ waits for lock "accounts", which transfer holds']);
      expect(await failing.first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(192, 57, 43)');

      const preempted = page.locator('#timeline .ev.preempted');
      expect(await preempted.count()).toBe(trace.counts.preemptions);
      expect(await preempted.first().isVisible()).toBe(true);

      const svg = page.locator('#waitgraph svg');
      expect(await svg.isVisible()).toBe(true);
      const graphText = await svg.textContent();
      for (const s of ['transfer', 'report', 'lock "audit"', 'lock "accounts"']) expect(graphText).toContain(s);
      // The two cycle edges are drawn red.
      expect(await page.locator('#waitgraph svg g.edge path[stroke="#c0392b"]').count()).toBe(2);
      expect(await page.locator('#failure').innerText()).toBe('deadlock: transfer -[lock "audit"]-> report -[lock "accounts"]-> transfer');

      await page.screenshot({ path: join(OUT, 'lock-order.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
