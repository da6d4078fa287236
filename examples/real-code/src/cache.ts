/**
 * A read-through cache of user profiles, as a TypeScript service writes it: look in a Map, else
 * fetch and remember. Nothing here knows about interleave; the scenario (cache.scenario.ts)
 * hands it a controlled fetch.
 */
export interface Profile {
  readonly id: string;
  readonly name: string;
}

export type FetchProfile = (id: string) => Promise<Profile>;

/** The usual get-or-load: between `has` and `set` the fetch is awaited, so two callers both fetch. */
export class ProfileCache {
  private readonly profiles = new Map<string, Profile>();

  constructor(private readonly fetchProfile: FetchProfile) {}

  async get(id: string): Promise<Profile> {
    if (this.profiles.has(id)) return this.profiles.get(id)!;
    const profile = await this.fetchProfile(id);
    this.profiles.set(id, profile);
    return profile;
  }
}

/** The fix: remember the fetch in flight, so a second caller awaits the same promise. */
export class InFlightProfileCache {
  private readonly profiles = new Map<string, Promise<Profile>>();

  constructor(private readonly fetchProfile: FetchProfile) {}

  get(id: string): Promise<Profile> {
    let pending = this.profiles.get(id);
    if (pending === undefined) {
      pending = this.fetchProfile(id);
      this.profiles.set(id, pending);
      // A failed fetch is not cached: the next caller tries again.
      pending.catch(() => this.profiles.delete(id));
    }
    return pending;
  }
}
