import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, makeTarget, RandomStrategy, readTrace, runExecution, traceOf, type Trace } from 'interleave';
import { renderHtmlReport } from '../../src/report/html.js';
import { formatTimeline, TIMELINE_WIDTH } from '../../src/report/timeline.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** 100 workers increment a counter without a lock (a lost update), the classic race at scale. */
const hundred = defineScenario({
  name: 'hundred',
  description: '100 workers increment a counter without a lock',
  variants: { buggy: { expect: 'assertion' } },
  async run(t) {
    const counter = t.variable('counter', 0);
    const workers = Array.from({ length: 100 }, (_, i) =>
      t.spawn(`worker-${i + 1}`, async () => {
        const v = await counter.get();
        await counter.set(v + 1);
      }),
    );
    for (const w of workers) await w.join();
    t.assert(counter.peek() === 100, `lost update: counter is ${counter.peek()}`);
  },
});

/** main starts two tasks and fails before either takes a step: they never run. */
const early = defineScenario({
  name: 'early',
  description: 'main fails before two tasks it spawned take a step',
  variants: { buggy: { expect: 'exception' } },
  async run(t) {
    const runner = t.spawn('runner', async () => {
      await t.yield();
    });
    await runner.join();
    t.spawn('idle-1', async () => {});
    t.spawn('idle-2', async () => {});
    throw new Error('gave up');
  },
});

async function traceOfRun(scenario: Parameters<typeof makeTarget>[0], seed: number): Promise<Trace> {
  const target = makeTarget(scenario, { variant: 'buggy' });
  return traceOf(target, { name: 'random', seed }, await runExecution(target, new RandomStrategy(seed), 0, true));
}

/** A trace of three tasks, one of which makes a real-code call with a long text (its site last). */
function callTrace(): Trace {
  const call = { op: 'call', obj: 'load("customer-profile:eu-west-1:42")', result: '"value of customer-profile:eu-west-1:42"', site: 'src/cache.ts:9' };
  return {
    format: 'interleave-trace',
    version: 1,
    scenario: { name: 'calls' },
    variant: 'buggy',
    params: {},
    strategy: { name: 'random', seed: 1 },
    options: { maxSteps: 1000, allowLeaks: false, failOnLockOrder: false },
    decisions: [],
    failure: null,
    counts: { steps: 4, preemptions: 0, tasks: 3 },
    tasks: ['main', 'request-a', 'request-b'],
    events: [
      { step: 0, task: 'main', op: 'start' },
      { step: 1, task: 'request-a', op: 'start' },
      { step: 2, task: 'request-a', ...call },
      { step: 3, task: 'request-b', op: 'start' },
    ],
  };
}

describe('timeline layouts', () => {
  it(`100 tasks: the text timeline lists the events (step  task  event), every line at most ${TIMELINE_WIDTH} characters; the HTML report a table of events, no lanes`, async () => {
    const trace = await traceOfRun(hundred, 1);
    expect(trace.failure?.kind).toBe('assertion');
    expect(trace.tasks).toHaveLength(101);
    const text = formatTimeline(trace);
    const lines = text.split('\n');
    expect(lines[0]).toBe(' step  task        event');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(TIMELINE_WIDTH);
    // Every step is a row naming its task: 2 per worker (read, write), a start per task, main's joins.
    expect(lines.filter((l) => /^ +\d+ {2}worker-\d+ +(>> )?(start|read counter|write counter)/.test(l)).length).toBe(300);
    expect(lines).toContain(`  ${String(trace.failure!.step).padStart(3)}  main        !! assertion`);
    const html = renderHtmlReport({ trace, waitGraphSvg: '', replayCommand: 'npx interleave replay t.json' });
    expect(html).not.toContain('class="lane-head"');
    // A row per worker event: its start, read, write and (done).
    expect(html.match(/<td class="task">worker-\d+<\/td>/g)).toHaveLength(400);
  });

  it('a task that never ran has no column (nor lane); one line under the timeline names it', async () => {
    const trace = await traceOfRun(early, 1);
    expect(trace.failure?.kind).toBe('exception');
    expect(trace.tasks).toEqual(['main', 'runner', 'idle-1', 'idle-2']);
    const lines = formatTimeline(trace, { legend: false }).split('\n');
    expect(lines[0]).toMatch(/^ step {2}main +runner$/);
    expect(lines.at(-1)).toBe('       2 tasks never ran (no column): idle-1, idle-2');
    const html = renderHtmlReport({ trace, waitGraphSvg: '', replayCommand: 'npx interleave replay t.json' });
    expect(html.match(/class="lane-head"[^>]*>[^<]*/g)?.map((h) => h.slice(h.indexOf('>') + 1))).toEqual(['main', 'runner']);
    expect(html).toContain('<p class="muted" id="never-ran">2 tasks never ran (no column): idle-1, idle-2</p>');
  });

  it("a real-code call's whole text and its site stay in its column", () => {
    const text = formatTimeline(callTrace(), { legend: false });
    expect(text).toMatch(/^ {4}2 {2}\S* +call load\("customer-profile:eu-west-1:42"\) -> "value of customer-profile:eu-west-1:42" at cache\.ts:9$/m);
    expect(text.split('\n')[0]).toMatch(/^ step {2}main +request-a +request-b$/);
  });

  it('columns that do not fit the width asked give way to the list, where a long call keeps its head and its site', () => {
    const lines = formatTimeline(callTrace(), { legend: false, maxWidth: 80 }).split('\n');
    expect(lines[0]).toBe(' step  task       event');
    const call = lines.find((l) => l.startsWith('    2'))!;
    expect(call).toMatch(/^ {4}2 {2}request-a {2}call load\("customer-profile:eu-west-1:42"\) -> "… at cache\.ts:9$/);
    expect(call.length).toBeLessThanOrEqual(80);
  });
});

describe('HTML report facts', () => {
  it('says where the failure was thrown (relative to the project, with its line) and counts in the singular where there is one', () => {
    const trace = readTrace(resolve(ROOT, 'traces', 'compute-if-absent-cache.nested-compute.deadlock.json'));
    const html = renderHtmlReport({ trace: { ...trace, counts: { ...trace.counts, preemptions: 1, tasks: 1 } }, waitGraphSvg: '', replayCommand: 'x' });
    expect(html).toContain('8 steps, 1 preemption, 1 task, shrunk from 9 steps and 1 preemption;');
    const thrown = readTrace(resolve(ROOT, 'traces', 'graph-mutation-iteration.buggy.exception.json'));
    expect(renderHtmlReport({ trace: thrown, waitGraphSvg: '', replayCommand: 'x' })).toContain('<p class="location" id="location">at scenarios/graph-mutation-iteration.ts:75</p>');
    // No location recorded (a deadlock is no throw): no line for it.
    expect(html).not.toContain('id="location"');
  });
});
