import { createHook, type AsyncHook } from 'node:async_hooks';
import { shownLocation, siteHere } from '../runtime/location.js';
import { keepStepPromises, promiseMade } from './timerGlobals.js';

/**
 * What the process waits on outside interleave (timers, sockets, files, child processes), as
 * `process.getActiveResourcesInfo()` lists it. Counted at an execution's start; at a stall of real
 * code, a resource the process has now and did not have then is something the scenario's code
 * started and awaits, which no step will ever settle: nondeterminism, not a stuck program.
 *
 * When the execution locates outside waits (ExecutionOptions.locateWaits: the run that records
 * a nondeterminism failure's trace, and its replay), an async hook also keeps the line that
 * started each such resource, so the failure names it (`1 real socket (TCPServerWrap) started at
 * src/client.ts:12`). Only then: an async hook numbers every promise, which costs exploration its
 * speed (src/runtime/quiescence.ts) and changes an error's async stack frames.
 */
export class OutsideWorld {
  private readonly baseline = counts();
  /** Where each resource the code started while recording was started, by async id, until it is gone. */
  private readonly started = new Map<number, { readonly type: string; readonly site: string }>();
  private readonly hook: AsyncHook | null;

  constructor(locate: boolean) {
    if (locate) keepStepPromises(true);
    this.hook = locate
      ? createHook({
          init: (id, type, trigger) => {
            // Every kind is kept (a tick too: a listen runs in the tick after its address lookup), save
            // promises, which the timer forwarders must know instead (their reactions now run with their ids).
            if (type === 'PROMISE') {
              promiseMade(id);
              return;
            }
            // Node's own frames (the hook's, net's, fs's) come first: look deeper than the default 10.
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 40;
            const here = siteHere();
            Error.stackTraceLimit = limit;
            // Started in the callback of another (a listen after its address lookup): that one's line.
            const site = here !== undefined ? shownLocation(here) : this.started.get(trigger)?.site;
            if (site !== undefined) this.started.set(id, { type, site });
          },
          destroy: (id) => {
            this.started.delete(id);
          },
        }).enable()
      : null;
  }

  /** The resources started since the baseline and still pending, described, or null when none. */
  pending(): string | null {
    const now = counts();
    const added: string[] = [];
    for (const [type, n] of now) {
      const more = n - (this.baseline.get(type) ?? 0);
      if (more > 0) added.push(`${more} ${describe(type)}${this.where(type)}`);
    }
    return added.length === 0 ? null : `the process waits on ${added.join(', ')} it did not have when the execution started`;
  }

  /** Stops keeping lines (the execution ended). */
  end(): void {
    if (this.hook === null) return;
    this.hook.disable();
    keepStepPromises(false);
    this.started.clear();
  }

  /** ` started at <line>` for the first kept resource of `type` (a handle's type may be named differently by the two APIs: matched loosely). */
  private where(type: string): string {
    const key = type.toUpperCase().replace(/WRAP$/, '');
    for (const s of this.started.values()) {
      const k = s.type.toUpperCase().replace(/WRAP$/, '');
      if (k === key || k.startsWith(key) || key.startsWith(k)) return ` started at ${s.site}`;
    }
    return '';
  }
}

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) m.set(type, (m.get(type) ?? 0) + 1);
  return m;
}

/** A resource type as a reader knows it. */
function describe(type: string): string {
  switch (type) {
    case 'Timeout':
      return 'real timer (Timeout: setTimeout/setInterval outside virtual timers)';
    case 'Immediate':
      return 'real setImmediate';
    case 'TCPSocketWrap':
    case 'TCPWRAP':
    case 'TCPServerWrap':
      return `real socket (${type})`;
    case 'FSReqCallback':
    case 'FSReqPromise':
    case 'FileHandle':
      return `real file operation (${type})`;
    default:
      return `${type}`;
  }
}
