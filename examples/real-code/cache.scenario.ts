import { defineScenario } from 'interleave';
import { InFlightProfileCache, ProfileCache } from './src/cache.js';

/**
 * Two requests for the same user arrive together. Each verifies its session, then reads the
 * profile through the cache. The profile API is a controlled call (`t.io`): its answer arrives
 * when the strategy picks it, so the second request may reach the cache while the first fetch
 * is still on the wire.
 */
export default defineScenario({
  name: 'profile-cache',
  description: 'two requests read one profile through a get-or-load cache; the fetch is awaited between has and set',
  variants: {
    buggy: { expect: 'assertion', description: 'ProfileCache: has, await fetch, set' },
    fixed: { expect: 'pass', description: 'InFlightProfileCache: the promise in flight is cached' },
  },
  async run(t) {
    let fetches = 0;
    const fetchProfile = t.io('fetchProfile', async (id: string) => {
      fetches++;
      return { id, name: `user ${id}` };
    });
    const verifySession = t.io('verifySession', async (token: string) => token.length > 0);
    const cache = t.variant === 'buggy' ? new ProfileCache(fetchProfile) : new InFlightProfileCache(fetchProfile);
    const handle = async (token: string): Promise<string> => {
      if (!(await verifySession(token))) throw new Error('unauthorized');
      return (await cache.get('u1')).name;
    };
    const [a, b] = await Promise.all([handle('token-a'), handle('token-b')]);
    t.assert(a === b, `two answers: ${a} and ${b}`);
    t.assert(fetches === 1, `profile u1 fetched ${fetches} times for 2 requests`);
  },
});
