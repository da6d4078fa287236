#!/usr/bin/env node
import { main } from '../dist/cli/main.js';
import { guardMainThread } from '../dist/cli/mainThreadGuard.js';

// `interleave list | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Signals end the process, and a task spinning through promise reactions is cut short, even
// while a scenario's task keeps this thread from its event loop (src/cli/mainThreadGuard.ts).
// `main` starts from a macrotask, not from the module's own evaluation: a chain cut short
// there leaves the thread unable to run JS again.
const guard = guardMainThread();
process.exitCode = await new Promise((resolve, reject) => setImmediate(() => main(process.argv.slice(2)).then(resolve, reject)));
await guard.dispose();
