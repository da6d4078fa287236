// Regenerates schema/trace.schema.json from the zod schema (the single source of truth).
import { writeFileSync } from 'node:fs';
import { traceJsonSchema } from '../dist/index.js';

writeFileSync(new URL('../schema/trace.schema.json', import.meta.url), `${JSON.stringify(traceJsonSchema(), null, 2)}\n`);
