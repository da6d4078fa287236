/**
 * `interleave/async-mutex`: async-mutex 0.5's exports on interleave's scheduler, for code under
 * test to get in place of `async-mutex` (docs/real-code.md, "Lock libraries"). Implementation:
 * src/primitives/asyncMutex.ts.
 */
export { Mutex, Semaphore, withTimeout, tryAcquire, lockName, E_TIMEOUT, E_ALREADY_LOCKED, E_CANCELED } from './primitives/asyncMutex.js';
export type { MutexInterface, SemaphoreInterface, Releaser } from './primitives/asyncMutex.js';
