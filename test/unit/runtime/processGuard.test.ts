import { describe, expect, it } from 'vitest';
import { guardProcessEnd } from '../../../src/runtime/processGuard.js';

describe('guardProcessEnd', () => {
  it('turns exit, abort and kill of this process into the error onCall returns, and restores the originals', () => {
    const originals = [process.exit, process.abort, process.kill];
    const calls: string[] = [];
    const restore = guardProcessEnd((call) => (calls.push(call), new Error(call)));
    expect(() => process.exit(3)).toThrow('process.exit(3)');
    expect(() => process.abort()).toThrow('process.abort()');
    expect(() => process.kill(process.pid, 'SIGTERM')).toThrow('process.kill(process.pid, "SIGTERM")');
    expect(() => process.kill(0)).toThrow('process.kill(0)');
    // Signal 0 only asks whether the process exists.
    expect(process.kill(process.pid, 0)).toBe(true);
    restore();
    expect(calls).toEqual(['process.exit(3)', 'process.abort()', 'process.kill(process.pid, "SIGTERM")', 'process.kill(0)']);
    expect([process.exit, process.abort, process.kill]).toEqual(originals);
  });

  it('two overlapping guards restored in the order they were installed leave calls reaching the original', () => {
    const real = process.exit;
    const reached: (string | number | null | undefined)[] = [];
    // A stand-in for the original, so a call that gets through does not end the test run.
    process.exit = ((code?: string | number | null) => void reached.push(code)) as typeof process.exit;
    try {
      const a = guardProcessEnd(() => new Error('a'));
      const b = guardProcessEnd(() => new Error('b'));
      a();
      expect(() => process.exit(0)).toThrow('b');
      b();
      // a is still installed under where b was, inactive: the call goes on to the original.
      process.exit(7);
      expect(reached).toEqual([7]);
    } finally {
      process.exit = real;
    }
  });
});
