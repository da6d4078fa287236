import type { Execution } from '../runtime/execution.js';
import { shownLocation, siteHere } from '../runtime/location.js';
import { activate, install, realClock, uninstall, type VirtualClock } from './timerGlobals.js';

/**
 * The timers of real code run with `timers: 'real'` (docs/real-code.md): the code under test gets
 * the real functions, and the first real `setTimeout` or `setInterval` a step starts is recorded,
 * with its step and line. A real timer fires when wall-clock time says, not when the
 * strategy does, so the execution is nondeterministic from that step on, whether the timer has
 * already fired by the next scheduling point or not (judging only timers still pending at a stall
 * made the verdict depend on the machine's speed). Every real timer a step started is cleared when
 * the execution ends, so none fires into a later execution.
 */
export class RealTimersWatch implements VirtualClock {
  private readonly real: VirtualClock;
  private installed = true;
  private first: string | null = null;
  private readonly handles: { clear: (id: unknown) => void; id: unknown }[] = [];

  constructor(private readonly exec: Execution) {
    install();
    this.real = realClock();
    activate(this);
  }

  stepStarted(): void {
    activate(this);
  }

  /** The first real timer started, described for a nondeterminism failure; null when none. */
  started(): string | null {
    return this.first;
  }

  end(): void {
    if (!this.installed) return;
    this.installed = false;
    activate(null);
    for (const h of this.handles) h.clear(h.id);
    this.handles.length = 0;
    uninstall();
  }

  private note(kind: string, ms: number | undefined): void {
    if (this.first !== null) return;
    const site = siteHere();
    this.first = `a real timer (${kind}, ${Number(ms ?? 0)}ms${site === undefined ? '' : ` at ${shownLocation(site)}`}) was started in step ${this.exec.step}`;
  }

  // ---- VirtualClock: what the forwarders call during a step -----------------------------------

  now(): number {
    return this.real.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown {
    this.note('setTimeout', ms);
    const id = this.real.setTimeout(fn, ms, ...args);
    this.handles.push({ clear: (h) => this.real.clearTimeout(h), id });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.real.clearTimeout(id);
  }

  setInterval(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown {
    this.note('setInterval', ms);
    const id = this.real.setInterval(fn, ms, ...args);
    this.handles.push({ clear: (h) => this.real.clearInterval(h), id });
    return id;
  }

  clearInterval(id: unknown): void {
    this.real.clearInterval(id);
  }

  setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): unknown {
    return this.real.setImmediate(fn, ...args);
  }

  clearImmediate(id: unknown): void {
    this.real.clearImmediate(id);
  }
}
