import { defineScenario, type ScenarioContext, type ScenarioDefinition } from 'interleave';
import { lastzeroBody, readersBody } from '../../fixtures/search/search-programs.js';

/** A one-variant scenario around `body` (the search tests' programs). */
export function program(name: string, body: (t: ScenarioContext) => Promise<void>, expect: 'pass' | 'assertion' | 'deadlock' = 'pass'): ScenarioDefinition {
  return defineScenario({ name, description: name, variants: { only: { expect } }, run: body as never });
}

/**
 * `tasks` tasks, each setting its own variable `ops` times; main spawns them and returns
 * (no join). Each task takes 1 + ops scheduling points (start, then its ops), main one (start)
 * before the others exist, so plain DFS gives the multinomial (tasks*(1+ops))! / ((1+ops)!)^tasks.
 */
export function disjoint(tasks: number, ops: number, join = false): ScenarioDefinition {
  return program(`disjoint-${tasks}x${ops}${join ? '-join' : ''}`, async (t) => {
    const handles = [];
    for (let i = 0; i < tasks; i++) {
      const v = t.variable(`v${i}`, 0);
      handles.push(
        t.spawn(`w${i}`, async () => {
          for (let k = 0; k < ops; k++) await v.set(k + 1);
        }),
      );
    }
    if (join) for (const h of handles) await h.join();
  });
}

/** N readers and one writer of one variable: 2^N Mazurkiewicz traces. */
export function readers(n: number): ScenarioDefinition {
  return program(`readers-${n}`, readersBody(n));
}

/** lastzero(N) (Abdulla et al., POPL 2014); see lastzeroBody. */
export function lastzero(n: number): ScenarioDefinition {
  return program(`lastzero-${n}`, lastzeroBody(n));
}
