import { describe, expect, it } from 'vitest';
import { frameLocation } from '../../../src/runtime/location.js';

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
