import type { Execution, RealCodeHooks } from '../runtime/execution.js';
import { AwaitSites } from './awaitSites.js';
import { OutsideWorld } from './outsideWorld.js';
import { RealTimersWatch } from './realTimersWatch.js';
import { stepDrained } from './timerGlobals.js';
import { VirtualTimers } from './virtualTimers.js';

/**
 * What an execution of real code has around its steps (docs/real-code.md): virtual timers, or
 * the watch on real ones when the scenario keeps them, and the watch on the outside world that tells a program
 * waiting on a real timer or socket (nondeterminism) from one stuck on a promise nothing settles;
 * when the execution locates waits, the lines its unfinished chains await at.
 * Made by the scenario context when the execution enters real-code mode.
 */
export class RealCodeRun implements RealCodeHooks {
  private readonly timers: VirtualTimers | RealTimersWatch;
  private readonly outside: OutsideWorld;
  private readonly awaits: AwaitSites | null;

  constructor(exec: Execution, virtualTimers: boolean) {
    this.timers = virtualTimers ? new VirtualTimers(exec) : new RealTimersWatch(exec);
    this.outside = new OutsideWorld(exec.locateWaits);
    this.awaits = exec.locateWaits ? new AwaitSites(exec.starterLines) : null;
  }

  stepStarted(): void {
    this.timers.stepStarted();
  }

  stepDrained(): void {
    stepDrained();
  }

  outsideWait(): string | null {
    return this.outside.pending();
  }

  outsideStarted(): string | null {
    return this.timers.started();
  }

  unfinishedAwaits(): readonly string[] {
    return this.awaits?.innermost() ?? [];
  }

  end(): void {
    this.awaits?.end();
    this.outside.end();
    this.timers.end();
  }
}
