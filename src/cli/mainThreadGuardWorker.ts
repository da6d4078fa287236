/**
 * The worker of the main-thread guard (src/cli/mainThreadGuard.ts): watches the main thread's
 * tick and, when it stops, calls the guard's hooks in the main thread through an in-process
 * inspector session: first `stuck`, then `interrupted` once it heard a signal the main thread
 * could not handle (guardSignals.ts), else `spinning`, every 100 ms until the loop turns again.
 */
import { setInterval } from 'node:timers';
import { Session } from 'node:inspector';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { SpinRequest } from './spinTrace.js';
import { CELL } from './mainThreadGuardCells.js';
import { SignalEars } from './guardSignals.js';

const { buffer, name, port } = workerData as { readonly buffer: SharedArrayBuffer; readonly name: string; readonly port: MessagePort };
const tick = new Int32Array(buffer);

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
      Atomics.store(tick, CELL.ANSWERED, 1);
      Atomics.notify(tick, CELL.ANSWERED);
    });
});
port.unref();
/** The main thread's event loop has not turned for this long: disarm signals, start counting. */
const STUCK_MS = 1000;
const POLL_MS = 100;

/**
 * Connected only while the main thread is stuck (a session to the main thread keeps Node's exit
 * waiting for it, and saying so on stderr: the main thread mutes that line while CELL.CONNECTED
 * says the session is there, src/cli/mainThreadGuard.ts).
 */
const session = new Session();
let connected = false;

/** Evaluates `call` (a method of the guard's global object, with JSON arguments) in the main thread. */
function evaluate(call: string, args: readonly unknown[], then: (value: unknown) => void): void {
  const expression = `globalThis[${JSON.stringify(name)}]?.${call}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
  session.post('Runtime.evaluate', { expression, returnByValue: true }, (error, answer) => {
    then(error === null ? (answer as { result?: { value?: unknown } }).result?.value : undefined);
  });
}

let last = Atomics.load(tick, CELL.TICK);
let since = Date.now();
let stuck = false;
let asking = false;
const ears = new SignalEars(tick);
ears.listen();

setInterval(() => {
  ears.raiseIfAsked();
  const now = Atomics.load(tick, CELL.TICK);
  const pending = ears.unhandled();
  // Two ticks after a signal came, the main loop has been through its poll phase: had it had a
  // listener then, it would have counted the signal. It took them off while stuck: send it again.
  if (pending !== null && !stuck && now - pending.tick >= 2) ears.resend(pending.signal);
  if (now !== last) {
    last = now;
    since = Date.now();
    stuck = false;
    if (connected && !asking) {
      session.disconnect();
      connected = false;
      Atomics.store(tick, CELL.CONNECTED, 0);
    }
    return;
  }
  if (Date.now() - since < STUCK_MS || asking) return;
  asking = true;
  if (!stuck) {
    stuck = true;
    if (!connected) session.connectToMainThread();
    connected = true;
    Atomics.store(tick, CELL.CONNECTED, 1);
    return evaluate('stuck', [], () => (asking = false));
  }
  // A signal while stuck: the main thread prints what its command prints when interrupted and
  // exits; when no command said what that is, the signal's default action ends the process.
  if (pending !== null) {
    return evaluate('interrupted', [pending.signal], (ended) => {
      if (ended !== true) ears.raise(pending.signal);
      asking = false;
    });
  }
  // A spin through promise reactions is reported by the main thread, which then exits.
  evaluate('spinning', [], () => (asking = false));
}, POLL_MS);
