import { describe, expect, it } from 'vitest';
import { importTsx, ScenarioLoadError } from '../../src/loader.js';

/** tsx is an optional peer dependency: without it, a TypeScript scenario says how to get it. */
describe('a TypeScript scenario without tsx installed', () => {
  it("Node's module-not-found for tsx becomes one line naming the file and `npm i -D tsx`", async () => {
    const missing = Object.assign(new Error("Cannot find package 'tsx' imported from /p/node_modules/interleave/dist/loader.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const e = await importTsx('scenarios/cache.ts', () => Promise.reject(missing)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ScenarioLoadError);
    expect((e as Error).message).toBe('scenarios/cache.ts: a TypeScript scenario needs tsx, which is not installed: npm i -D tsx');
  });

  it('another missing module (one the scenario imports) is left as it is', async () => {
    const other = Object.assign(new Error("Cannot find package 'left-pad' imported from /p/scenarios/cache.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(importTsx('scenarios/cache.ts', () => Promise.reject(other))).rejects.toBe(other);
  });

  it('with tsx installed, its API is returned', async () => {
    const api = await importTsx('scenarios/cache.ts', () => import('tsx/esm/api'));
    expect(typeof api.register).toBe('function');
  });
});
