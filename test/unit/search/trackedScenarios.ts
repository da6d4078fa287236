import { defineScenario, type ScenarioContext } from 'interleave';

/**
 * Get-or-load caches for the tracked-state tests (tracked.test.ts). Two tasks ask for the same
 * key; `buggy` checks, awaits the load, then stores (both may load); `fixed` marks the key as
 * loading before it awaits (the in-flight fix). `loads` counts the loads.
 */
async function getOrLoad(t: ScenarioContext, cache: Map<string, string>, loads: { count: number }): Promise<void> {
  const both = ['a', 'b'].map((name) =>
    t.spawn(name, async () => {
      if (cache.has('k')) return;
      if (t.variant === 'fixed') cache.set('k', 'loading');
      await t.yield();
      loads.count++;
      cache.set('k', 'value');
    }),
  );
  for (const task of both) await task.join();
  t.assert(loads.count === 1, `duplicate load: "k" loaded ${loads.count} times`);
}

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
    await getOrLoad(t, t.track(new Map<string, string>(), 'cache'), t.track({ count: 0 }, 'loads'));
  },
});

/** The cache is a plain Map; only the counter is tracked, and nothing is declared: no reduction. */
export const plainCacheTrackedCounter = defineScenario({
  name: 'plain-cache-tracked-counter',
  description: 'get-or-load over a plain Map, the load counter tracked',
  variants,
  async run(t) {
    await getOrLoad(t, new Map<string, string>(), t.track({ count: 0 }, 'loads'));
  },
});

/** Nothing tracked; the author says tasks share plain state. */
export const plainCacheDeclared = defineScenario({
  name: 'plain-cache-declared',
  description: 'get-or-load over a plain Map, declared untracked',
  sharedState: 'untracked',
  variants,
  async run(t) {
    await getOrLoad(t, new Map<string, string>(), { count: 0 });
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
