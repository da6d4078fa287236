// Regenerates schema/trace.schema.json and schema/cli-output.schema.json from the zod schemas (the single source of truth). Run after npm run build.
import { writeFileSync } from 'node:fs';
import { traceJsonSchema } from '../dist/index.js';
import { cliOutputJsonSchema } from '../dist/cli/jsonOutput.js';

writeFileSync(new URL('../schema/trace.schema.json', import.meta.url), `${JSON.stringify(traceJsonSchema(), null, 2)}\n`);
writeFileSync(new URL('../schema/cli-output.schema.json', import.meta.url), `${JSON.stringify(cliOutputJsonSchema(), null, 2)}\n`);
