import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:long`: the checks too long for `npm test` (docs/testing.md), with the same
// aliases, pool and timeouts as the main suite. (Not mergeConfig: it would append to the
// main suite's include and exclude lists instead of replacing them.)
export default defineConfig({ ...base, test: { ...base.test, projects: undefined, include: ['test/long/**/*.test.ts'], exclude: ['**/node_modules/**'] } });
