import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { workersWarning } from '../../src/cli/workersWarning.js';
import { cli, FIXTURES, workDir } from './cliHarness.js';

describe('--workers beyond the CPUs of the machine', () => {
  it('warns only when n exceeds the CPU count', () => {
    expect(workersWarning(undefined, 2)).toBeNull();
    expect(workersWarning(2, 2)).toBeNull();
    expect(workersWarning(32, 2)).toBe('interleave: --workers 32 is more than the 2 CPUs of this machine; each worker is a thread with its own heap');
    expect(workersWarning(2, 1)).toBe('interleave: --workers 2 is more than the 1 CPU of this machine; each worker is a thread with its own heap');
  });

  it('run prints the warning once on stderr and keeps going', async () => {
    const n = availableParallelism() + 1;
    const r = await cli(['run', 'lost-update', '--variant', 'fixed', '-n', '500', '--workers', String(n), '--dir', FIXTURES, '--out', 'traces'], { cwd: workDir('workers-warning') });
    const warnings = r.stderr.split('\n').filter((l) => l.includes('--workers'));
    expect(warnings).toEqual([`interleave: --workers ${n} is more than the ${availableParallelism()} CPU${availableParallelism() === 1 ? '' : 's'} of this machine; each worker is a thread with its own heap`]);
    expect(r.stdout).toMatch(/lost-update \[fixed\] \(params: workers=2\) random seed 1: 500 executions, .*no failure \(budget used\)$/m);
    expect(r.code).toBe(0);
  });
});
