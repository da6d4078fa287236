import type { Execution, RealCodeHooks } from '../runtime/execution.js';
import { OutsideWorld } from './outsideWorld.js';
import { RealTimersWatch } from './realTimersWatch.js';
import { VirtualTimers } from './virtualTimers.js';

/**
 * What an execution of real code has around its steps (docs/real-code.md): virtual timers, or
 * the watch on real ones when the scenario keeps them, and the watch on the outside world that tells a program
 * waiting on a real timer or socket (nondeterminism) from one stuck on a promise nothing settles.
 * Made by the scenario context when the execution enters real-code mode.
 */
export class RealCodeRun implements RealCodeHooks {
  private readonly timers: VirtualTimers | RealTimersWatch;
  private readonly outside: OutsideWorld;

  constructor(exec: Execution, virtualTimers: boolean) {
    this.timers = virtualTimers ? new VirtualTimers(exec) : new RealTimersWatch(exec);
    this.outside = new OutsideWorld(exec.locateOutside);
  }

  stepStarted(): void {
    this.timers.stepStarted();
  }

  outsideWait(): string | null {
    return this.outside.pending();
  }

  outsideStarted(): string | null {
    return this.timers.started();
  }

  end(): void {
    this.outside.end();
    this.timers.end();
  }
}
