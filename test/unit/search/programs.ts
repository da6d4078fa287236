import { defineScenario, type ScenarioContext, type ScenarioDefinition } from 'interleave';

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

/** N readers and one writer of one variable: 2^N Mazurkiewicz traces (each read before or after the write). */
export function readers(n: number): ScenarioDefinition {
  return program(`readers-${n}`, async (t) => {
    const x = t.variable('x', 0);
    for (let i = 0; i < n; i++) t.spawn(`reader-${i}`, async () => void (await x.get()));
    t.spawn('writer', async () => x.set(1));
  });
}

/**
 * lastzero(N) (Abdulla et al., POPL 2014): array a[0..N] of zeros; the scanner reads from a[N]
 * down while a[i] != 0; writer j (1..N) sets a[j] = a[j-1] + 1.
 */
export function lastzero(n: number): ScenarioDefinition {
  return program(`lastzero-${n}`, async (t) => {
    const a = t.map<number, number>('a');
    for (let i = 0; i <= n; i++) await a.set(i, 0);
    t.spawn('scanner', async () => {
      let i = n;
      while ((await a.get(i)) !== 0) i--;
    });
    for (let j = 1; j <= n; j++) {
      t.spawn(`writer-${j}`, async () => {
        const prev = (await a.get(j - 1))!;
        await a.set(j, prev + 1);
      });
    }
  });
}
