/**
 * The worker of the main-thread guard (src/cli/mainThreadGuard.ts): watches the main thread's
 * tick and, when it stops, calls the guard's hooks in the main thread through an in-process
 * inspector session: first `stuck`, then `spinning` every 100 ms until the loop turns again.
 */
import { setInterval } from 'node:timers';
import { Session } from 'node:inspector';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { SpinRequest } from './spinTrace.js';

const { buffer, name, port } = workerData as { readonly buffer: SharedArrayBuffer; readonly name: string; readonly port: MessagePort };
const tick = new Int32Array(buffer);
const ANSWERED = 1;

/**
 * A spinning run's trace, asked for by the main thread, which waits blocked for the answer
 * (mainThreadGuard.ts): the engine is loaded here only then.
 */
port.on('message', (request: SpinRequest) => {
  void import('./spinTrace.js')
    .then((m) => m.spinTrace(request))
    .catch(() => null)
    .then((answer) => {
      port.postMessage(answer);
      Atomics.store(tick, ANSWERED, 1);
      Atomics.notify(tick, ANSWERED);
    });
});
port.unref();
/** The main thread's event loop has not turned for this long: disarm signals, start counting. */
const STUCK_MS = 1000;
const POLL_MS = 100;

/**
 * Connected only while the main thread is stuck: a process that exits with a session connected
 * first prints "Waiting for the debugger to disconnect...".
 */
const session = new Session();
let connected = false;

/** Evaluates `call` (a method of the guard's global object) in the main thread. */
function evaluate(call: string, then: (value: unknown) => void): void {
  session.post('Runtime.evaluate', { expression: `globalThis[${JSON.stringify(name)}]?.${call}()`, returnByValue: true }, (error, answer) => {
    then(error === null ? (answer as { result?: { value?: unknown } }).result?.value : undefined);
  });
}

let last = Atomics.load(tick, 0);
let since = Date.now();
let stuck = false;
let asking = false;
setInterval(() => {
  const now = Atomics.load(tick, 0);
  if (now !== last) {
    last = now;
    since = Date.now();
    stuck = false;
    if (connected && !asking) {
      session.disconnect();
      connected = false;
    }
    return;
  }
  if (Date.now() - since < STUCK_MS || asking) return;
  asking = true;
  if (!stuck) {
    stuck = true;
    if (!connected) session.connectToMainThread();
    connected = true;
    return evaluate('stuck', () => (asking = false));
  }
  // A spin through promise reactions is reported by the main thread, which then exits.
  evaluate('spinning', () => (asking = false));
}, POLL_MS);
