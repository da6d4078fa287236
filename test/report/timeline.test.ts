import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from 'interleave';
import { formatTimeline, TIMELINE_LEGEND } from '../../src/report/timeline.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The step column of every row of the table (after its two header lines), '' where a row has none. */
function stepColumn(timeline: string): string[] {
  const rows = timeline.split('\n').slice(2);
  return rows.slice(0, rows.findIndex((r) => r.startsWith('legend:'))).map((r) => r.slice(0, 5).trim());
}

describe('text timeline step numbers', () => {
  it('numbers every step from 0 as the trace does (starts included), so the numbers never skip; the failure row counts the steps taken', () => {
    for (const name of ['nested-submission.buggy.deadlock', 'nested-submission.timeout.exception', 'lock-hierarchy.buggy.deadlock']) {
      const trace = readTrace(resolve(ROOT, 'traces', `${name}.json`));
      const numbers = stepColumn(formatTimeline(trace)).filter((s) => s !== '').map(Number);
      const steps = Array.from({ length: trace.counts.steps }, (_, i) => i);
      expect(numbers, name).toEqual([...steps, trace.failure!.step]);
      // and they are the trace's own step fields
      const recorded = trace.events.filter((e) => e.note === undefined || e.note === 'woke' || e.note === 'timeout').filter((e) => e.op !== 'spawn' && e.op !== 'choose').map((e) => e.step);
      expect(recorded, name).toEqual(steps);
    }
  });

  it('a start is a numbered step; a blocked operation and a finish are rows without a number', () => {
    const trace = readTrace(resolve(ROOT, 'traces', 'nested-submission.buggy.deadlock.json'));
    const lines = formatTimeline(trace).split('\n');
    expect(lines).toContain('    0  start');
    expect(lines.find((l) => l.includes('result task-A1#1 .. waits'))).toMatch(/^ {7}result task-A1#1 \.\. waits/);
    expect(lines.some((l) => /^ {4}3 {2}: +start$/.test(l))).toBe(true);
  });

  it('the legend says what a number is', () => {
    expect(TIMELINE_LEGEND.split('\n')[1]).toBe("        a number is a step (a scheduling decision, from 0); rows without one are not steps; the !! row's number counts the steps taken");
    expect(formatTimeline(readTrace(resolve(ROOT, 'traces', 'nested-submission.buggy.deadlock.json'))).endsWith(TIMELINE_LEGEND)).toBe(true);
  });
});
