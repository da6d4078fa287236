import { defineScenario } from 'interleave';

// Written by `interleave init`: a first scenario to read, run and replace with your own code.
//
// The code under test is ordinary TypeScript that knows nothing about interleave. In your project
// it lives in your sources and the scenario imports it; it is here so this file stands alone.

interface Profile {
  readonly id: string;
  readonly name: string;
}

type FetchProfile = (id: string) => Promise<Profile>;

/** The usual get-or-load cache: look in the Map, else fetch and remember. */
class ProfileCache {
  private readonly profiles = new Map<string, Profile>();

  constructor(private readonly fetchProfile: FetchProfile) {}

  async get(id: string): Promise<Profile> {
    const cached = this.profiles.get(id);
    if (cached !== undefined) return cached;
    // The bug: two callers that both miss both fetch, because the fetch is awaited before `set`.
    const profile = await this.fetchProfile(id);
    this.profiles.set(id, profile);
    return profile;
  }
}

/** The fix: remember the fetch in flight, so a second caller awaits the same promise. */
class InFlightProfileCache {
  private readonly profiles = new Map<string, Promise<Profile>>();

  constructor(private readonly fetchProfile: FetchProfile) {}

  get(id: string): Promise<Profile> {
    let pending = this.profiles.get(id);
    if (pending === undefined) {
      pending = this.fetchProfile(id);
      this.profiles.set(id, pending);
      pending.catch(() => this.profiles.delete(id)); // a failed fetch is not cached
    }
    return pending;
  }
}

/**
 * Two requests for the same profile arrive together. The profile API is wrapped in `t.io`: its
 * answer arrives when interleave's scheduler picks it, so interleave tries the orders a real
 * network could produce, and the second request may reach the cache while the first fetch is
 * still on the wire.
 */
export default defineScenario({
  name: 'profile-cache',
  description: 'two requests read one profile through a get-or-load cache',
  variants: {
    buggy: { expect: 'assertion', description: 'ProfileCache: the fetch is awaited between get and set' },
    fixed: { expect: 'pass', description: 'InFlightProfileCache: the promise in flight is cached' },
  },
  budget: { iterations: 200 },
  async run(t) {
    let fetches = 0;
    const fetchProfile = t.io('fetchProfile', async (id: string): Promise<Profile> => {
      fetches++;
      return { id, name: `user ${id}` };
    });
    const cache = t.variant === 'buggy' ? new ProfileCache(fetchProfile) : new InFlightProfileCache(fetchProfile);
    const [a, b] = await Promise.all([cache.get('u1'), cache.get('u1')]);
    t.assert(a.name === b.name, `two answers: ${a.name} and ${b.name}`);
    t.assert(fetches === 1, `profile u1 fetched ${fetches} times for 2 requests`);
  },
});
