import { createHook, executionAsyncId, type AsyncHook } from 'node:async_hooks';
import { shownLocation, siteHere } from '../runtime/location.js';
import { inStep, keepStepPromises, promiseMade } from './timerGlobals.js';

/** The words every outside-wait message of `pending` ends with (how a verdict recognises one). */
export const OUTSIDE_WAIT = 'it did not have when the execution started';

/**
 * What the process waits on outside interleave (timers, sockets, files, child processes), as
 * `process.getActiveResourcesInfo()` lists it. Counted at an execution's start; at a stall of real
 * code, a resource the process has now and did not have then may be something the scenario's code
 * started and awaits, which no step will ever settle: nondeterminism, not a stuck program.
 *
 * The count is the whole process's: a test runner's timers, a browser driver's sockets, a
 * service's keep-alive started meanwhile count too. So an exploring run's verdict at such a
 * stall is provisional, and the run that records the failure's trace (and every replay of it)
 * locates (ExecutionOptions.locateWaits): an async hook then sees each resource start, and counts
 * it as the execution's only when it starts within a step of the execution (`inStep`: the step's
 * macrotask, its microtasks, a promise made in a step) or in the callback of a resource that did
 * (a listen after its address lookup). Other activity is left out, so the recorded failure is
 * `stuck` when only the rest of the process moved (src/verdict/determinism.ts adopts it), and
 * the nondeterminism names the line that started the execution's own resource (`1 real socket
 * (TCPServerWrap) started at src/client.ts:12`). Only then: an async hook numbers every
 * promise, which costs exploration its speed (src/runtime/quiescence.ts) and changes an error's
 * async stack frames.
 */
export class OutsideWorld {
  private readonly baseline = counts();
  /** Each resource the execution started while locating, by async id, until it is gone: its type, the line that started it, the resource. */
  private readonly started = new Map<number, { readonly type: string; readonly site: string | undefined; readonly resource: object }>();
  private readonly hook: AsyncHook | null;

  constructor(locate: boolean) {
    if (locate) keepStepPromises(true);
    this.hook = locate
      ? createHook({
          init: (id, type, trigger, resource) => {
            // Every kind is kept (a tick too: a listen runs in the tick after its address lookup), save
            // promises, which the timer forwarders must know instead (their reactions now run with their ids).
            if (type === 'PROMISE') {
              promiseMade(id);
              return;
            }
            const context = executionAsyncId();
            const parent = this.started.get(context) ?? this.started.get(trigger);
            // Started by other code of the process (a test runner, a browser driver): not the execution's.
            if (parent === undefined && !inStep(context) && !inStep(trigger)) return;
            // Node's own frames (the hook's, net's, fs's) come first: look deeper than the default 10.
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 40;
            const here = siteHere();
            Error.stackTraceLimit = limit;
            // Started in the callback of another (a listen after its address lookup): that one's line.
            const site = here !== undefined ? shownLocation(here) : parent?.site;
            this.started.set(id, { type, site, resource: resource as object });
          },
          destroy: (id) => {
            this.started.delete(id);
          },
        }).enable()
      : null;
  }

  /**
   * The resources started since the baseline and still pending, described, or null when none.
   * When locating, only as many of each type as the execution itself started and still has.
   */
  pending(): string | null {
    const now = counts();
    const added: string[] = [];
    for (const [type, n] of now) {
      let more = n - (this.baseline.get(type) ?? 0);
      if (this.hook !== null) more = Math.min(more, this.own(type).length);
      if (more > 0) added.push(`${more} ${describe(type)}${this.where(type)}`);
    }
    return added.length === 0 ? null : `the process waits on ${added.join(', ')} ${OUTSIDE_WAIT}`;
  }

  /** Stops keeping lines (the execution ended). */
  end(): void {
    if (this.hook === null) return;
    this.hook.disable();
    keepStepPromises(false);
    this.started.clear();
  }

  /** ` started at <line>` for the first resource of `type` the execution started and still has. */
  private where(type: string): string {
    const site = this.own(type).find((s) => s.site !== undefined)?.site;
    return site === undefined ? '' : ` started at ${site}`;
  }

  /**
   * The resources of `type` the execution started and still has (a handle's type may be named
   * differently by the two APIs: matched loosely). A timer that fired or was cleared is gone even
   * before its destroy hook runs (Node runs those later, in a batch).
   */
  private own(type: string): { readonly site: string | undefined }[] {
    const key = type.toUpperCase().replace(/WRAP$/, '');
    const out: { readonly site: string | undefined }[] = [];
    for (const s of this.started.values()) {
      const k = s.type.toUpperCase().replace(/WRAP$/, '');
      if ((k === key || k.startsWith(key) || key.startsWith(k)) && alive(s.resource)) out.push(s);
    }
    return out;
  }
}

/** False for a timer or immediate that already ran or was cleared, or one that no longer keeps the process alive; true for anything else. */
function alive(resource: object): boolean {
  const r = resource as { _destroyed?: unknown; hasRef?: unknown };
  if (r._destroyed === true) return false;
  return typeof r.hasRef === 'function' ? (r.hasRef as () => boolean).call(r) !== false : true;
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
