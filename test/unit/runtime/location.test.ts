import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { errorInfo, frameLocation } from '../../../src/runtime/location.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('frameLocation', () => {
  it('reads a path, a file URL and a loader query out of a frame', () => {
    expect(frameLocation('at run (/p/scenarios/a.ts:12:5)')).toEqual({ file: '/p/scenarios/a.ts', line: 12 });
    expect(frameLocation('at file:///p/my%20dir/a.ts:3:1')).toEqual({ file: '/p/my dir/a.ts', line: 3 });
    expect(frameLocation('at f (/p/a.ts?tsx-namespace=1700000000000:7:2)')).toEqual({ file: '/p/a.ts', line: 7 });
    expect(frameLocation('at new Promise (<anonymous>)')).toBeNull();
  });

  it("a module tsx ran from a data: URL: the file, without its random namespace, and no line (the compiled code's line would be wrong)", () => {
    const code = encodeURIComponent('__filename="/p/a.ts";(()=>{\nvar x=1;function f(){throw new Error("x")}\n})()\n');
    const frame = `at Object.f (data:text/javascript,${code}?filePath=${encodeURIComponent('/p/a.ts?namespace=7cf7a3e2-55b1-4e8e-9d0b-1f2a3b4c5d6e')}:2:887)`;
    expect(frameLocation(frame)).toEqual({ file: '/p/a.ts' });
  });
});

describe('errorInfo', () => {
  // A failing block can run on the main thread or on a worker, which format the runner's
  // anonymous frames differently; the stack kept must not depend on which (it goes into shard files).
  it("leaves out every frame of interleave's own src/ and dist/, and keeps the scenario's, also in a user's own src/ folder", () => {
    const error = new Error('boom');
    error.stack = [
      'Error: boom',
      `    at Object.run (${ROOT}test/fixtures/x.ts:30:40)`,
      `    at <anonymous> (${ROOT}src/run.ts:70:47)`,
      `    at ${ROOT}src/run.ts:70:47`,
      `    at startExecution (file://${ROOT}dist/run.js:12:3)`,
      `    at onEnd (${ROOT}src/series.ts:40:9)`,
      '    at helper (/elsewhere/project/src/runtime/thing.ts:5:1)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    const info = errorInfo(error);
    expect(info.stack).toBe([`at Object.run (${ROOT}test/fixtures/x.ts:30:40)`, 'at helper (/elsewhere/project/src/runtime/thing.ts:5:1)'].join('\n'));
  });
});
