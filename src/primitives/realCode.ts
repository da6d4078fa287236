import type { Execution, RealCodeHooks } from '../runtime/execution.js';
import { OutsideWorld } from './outsideWorld.js';
import { VirtualTimers } from './virtualTimers.js';

/**
 * What an execution of real code has around its steps (docs/real-code.md): virtual timers,
 * unless the scenario keeps real ones, and the watch on the outside world that tells a program
 * waiting on a real timer or socket (nondeterminism) from one stuck on a promise nothing settles.
 * Made by the scenario context when the execution enters real-code mode.
 */
export class RealCodeRun implements RealCodeHooks {
  private readonly timers: VirtualTimers | null;
  private readonly outside = new OutsideWorld();

  constructor(exec: Execution, virtualTimers: boolean) {
    this.timers = virtualTimers ? new VirtualTimers(exec) : null;
  }

  stepStarted(): void {
    this.timers?.stepStarted();
  }

  outsideWait(): string | null {
    return this.outside.pending();
  }

  end(): void {
    this.timers?.end();
  }
}
