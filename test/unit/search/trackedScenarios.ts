import { defineScenario, type ScenarioContext } from 'interleave';
import { getOrLoad } from '../../fixtures/track/cache.js';

function assertOneLoad(t: ScenarioContext, loads: { count: number }): void {
  t.assert(loads.count === 1, `duplicate load: "k" loaded ${loads.count} times`);
}

/** Get-or-load caches for the tracked-state tests (tracked.test.ts), over the fixture's getOrLoad. */
const variants = {
  buggy: { expect: 'assertion' as const, description: 'has, await the load, set: both may load' },
  fixed: { expect: 'pass' as const, description: 'the key is marked loading before the await' },
};

/** Every piece of shared state tracked, and declared so: dfs reduces on the tracked footprints. */
export const trackedCache = defineScenario({
  name: 'tracked-cache',
  description: 'get-or-load over a tracked Map',
  sharedState: 'tracked',
  variants,
  async run(t) {
    const loads = t.track({ count: 0 }, 'loads');
    await getOrLoad(t, t.track(new Map<string, string>(), 'cache'), loads);
    assertOneLoad(t, loads);
  },
});

/** The cache is a plain Map; only the counter is tracked, and nothing is declared: no reduction. */
export { default as plainCacheTrackedCounter } from '../../fixtures/track/cache.js';

/** Nothing tracked; the author says tasks share plain state. */
export const plainCacheDeclared = defineScenario({
  name: 'plain-cache-declared',
  description: 'get-or-load over a plain Map, declared untracked',
  sharedState: 'untracked',
  variants,
  async run(t) {
    const loads = { count: 0 };
    await getOrLoad(t, new Map<string, string>(), loads);
    assertOneLoad(t, loads);
  },
});

/**
 * The plain cache, but `t.track` is only reached on the second value of a choice: the first
 * execution (with reduction) does not see real code; the search must start again without it.
 */
export const lateTrack = defineScenario({
  name: 'late-track',
  description: 'get-or-load over a plain Map; t.track called only in some executions',
  variants,
  async run(t) {
    const loads = t.choose(2, 'track') === 1 ? t.track({ count: 0 }, 'loads') : { count: 0 };
    await getOrLoad(t, new Map<string, string>(), loads);
    assertOneLoad(t, loads);
  },
});

/**
 * A session refresh that checks, awaits, then reads, against a logout: the read finds the
 * session gone (the racing pair named from tracked accesses).
 */
export const sessions = defineScenario({
  name: 'tracked-sessions',
  description: 'refresh checks a session, awaits, then reads it; logout deletes it',
  sharedState: 'tracked',
  variants: { buggy: { expect: 'assertion' } },
  async run(t) {
    const sessions = t.track(new Map<string, { user: string }>([['s1', { user: 'ada' }]]), 'sessions');
    const refresh = t.spawn('refresh', async () => {
      if (!sessions.has('s1')) return;
      await t.sleep(0);
      const session = sessions.get('s1');
      t.assert(session !== undefined, 'refresh: session s1 vanished between has and get');
    });
    const logout = t.spawn('logout', () => {
      sessions.delete('s1');
    });
    await refresh.join();
    await logout.join();
  },
});
