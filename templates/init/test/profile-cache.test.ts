import { expect, it } from 'vitest';
import { expectNoFailure, InterleaveFailure } from 'interleave/vitest';
import profileCache from '../scenarios/profile-cache.js';

// Written by `interleave init`. `expectNoFailure` explores the scenario's schedules and fails the
// test with interleave's report when any of them fails. `file`, the scenario module (a path or a
// file URL), lets it confirm a failure from a freshly loaded module before it saves the trace
// (and run a `watchdog` thread, for code that may spin).
const file = new URL('../scenarios/profile-cache.ts', import.meta.url);

it('the in-flight cache fetches a profile once, in every order interleave tries', async () => {
  await expectNoFailure(profileCache, { variant: 'fixed', file });
});

// The buggy cache fails, so this test expects the failure, to show you the report without a red
// suite: the failed assertion, the shortest interleaving that causes it (one column per task, a
// row per step) and the command that replays the saved trace. In your own tests, call
// `expectNoFailure` directly, as above: a failure then fails the test with this same report.
it('the has-then-fetch cache fetches twice when two requests overlap', async () => {
  const failure = await expectNoFailure(profileCache, { variant: 'buggy', file }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(InterleaveFailure);
  const report = (failure as InterleaveFailure).message;
  expect(report).toContain('profile u1 fetched 2 times for 2 requests');
  console.log(report);
});
