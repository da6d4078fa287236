import { defineScenario, param } from 'interleave';
import type { SharedMap } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 004 (MEZAN Concurrency Audit Report):
 * - parallel_executor.py, Issue 1 "Unprotected Shared State in WorkerPoolManager": the
 *   `worker_stats` defaultdict is "accessed without locks from multiple threads" (lost updates,
 *   incorrect statistics);
 * - deepthink_agents.py, Issue 1 "Agent Statistics Race Condition": `analysis_count` and
 *   `total_time` are "modified without locks in base agents" (lost increments).
 * Fix ("Modified Files"): the stats behind a lock (hierarchy: "3. Worker stats lock",
 * "5. Individual agent locks"), taken one at a time here, never nested.
 *
 * Model: each pool worker (`worker-N`) runs one analysis on the shared agent, then records its
 * completion. `self.analysis_count += 1` is a read then a write; `worker_stats[kind]` is a
 * defaultdict lookup whose factory runs Python code, so two threads can both miss and each
 * install a fresh dict, one overwriting the other.
 */

type Params = { workers: number };

export default defineScenario<Params>({
  name: 'worker-statistics',
  description: 'pool workers update worker_stats (defaultdict) and the agent\'s analysis_count / total_time without locks; fixed with the stats locks',
  source: 'seed 004, parallel_executor.py Issue 1 (worker_stats) and deepthink_agents.py Issue 1 (Agent Statistics)',
  params: { workers: param(2, fc.integer({ min: 2, max: 4 }), 'WorkerPoolManager workers, one analysis each') },
  variants: {
    buggy: { expect: 'assertion', description: 'unlocked += on analysis_count, total_time and worker_stats: lost updates' },
    fixed: { expect: 'pass', description: 'agent stats under the agent _lock, worker_stats under _stats_lock (one lock at a time)' },
  },
  budget: { iterations: 200 },
  async run(t) {
    const { workers } = t.params;
    const locked = t.variant === 'fixed';

    // WorkerPoolManager.worker_stats = defaultdict(dict): kind -> {tasks_completed, total_time}.
    const worker_stats = t.map<string, SharedMap<string, number>>('worker_stats');
    const _stats_lock = t.lock('_stats_lock');
    // BaseAgent (deepthink_agents.py) shared by every worker: analysis_count, total_time.
    const analysis_count = t.variable('analysis_count', 0);
    const total_time = t.variable('total_time', 0);
    const agent_lock = t.lock('agent._lock');

    let created = 0;
    /** `worker_stats[kind]`: defaultdict.__missing__ calls the factory, then stores its result. */
    const statsFor = async (kind: string): Promise<SharedMap<string, number>> => {
      const existing = await worker_stats.get(kind);
      if (existing !== undefined) return existing;
      const fresh = t.map<string, number>(`worker_stats[${kind}]#${++created}`);
      await worker_stats.set(kind, fresh);
      return fresh;
    };
    const add = async (m: SharedMap<string, number>, field: string, by: number): Promise<void> => {
      await m.set(field, ((await m.get(field)) ?? 0) + by);
    };

    // Ghost truth: what the workers really did.
    let analyses = 0;
    let elapsedSum = 0;

    const handles = [];
    for (let i = 1; i <= workers; i++) {
      handles.push(
        t.spawn(`worker-${i}`, async () => {
          const start = t.now();
          await t.sleep(10); // agent.analyze(problem): every worker finishes at t=10 and records at once
          const elapsed = t.now() - start;
          analyses++;
          elapsedSum += elapsed;

          // BaseAgent: self.analysis_count += 1; self.total_time += elapsed
          if (locked) await agent_lock.acquire();
          await analysis_count.set((await analysis_count.get()) + 1);
          await total_time.set((await total_time.get()) + elapsed);
          if (locked) await agent_lock.release();

          // WorkerPoolManager._record_completion: worker_stats['analysis']['tasks_completed'] += 1 ...
          if (locked) await _stats_lock.acquire();
          const stats = await statsFor('analysis');
          await add(stats, 'tasks_completed', 1);
          await add(stats, 'total_time', elapsed);
          if (locked) await _stats_lock.release();
        }),
      );
    }
    for (const h of handles) await h.join();

    const problems: string[] = [];
    if (analysis_count.peek() !== analyses) problems.push(`analysis_count is ${analysis_count.peek()} after ${analyses} analyses`);
    if (total_time.peek() !== elapsedSum) problems.push(`agent total_time is ${total_time.peek()}, analyses took ${elapsedSum}`);
    const stats = worker_stats.peek().get('analysis')?.peek();
    const completed = stats?.get('tasks_completed') ?? 0;
    if (completed !== analyses) problems.push(`worker_stats['analysis']['tasks_completed'] is ${completed} after ${analyses} tasks`);
    if ((stats?.get('total_time') ?? 0) !== elapsedSum) problems.push(`worker_stats['analysis']['total_time'] is ${stats?.get('total_time') ?? 0}, tasks took ${elapsedSum}`);
    if (created > 1) problems.push(`defaultdict factory ran ${created} times for 'analysis': updates to the overwritten dict are lost`);
    t.assert(problems.length === 0, `lost update: ${problems.join('; ')}`);
  },
});
