import { UsageError } from '../runtime/errors.js';
import { checkTrace, TraceFileError } from '../trace/codec.js';
import { isShard, type Shard } from '../partition.js';
import type { ShardRun } from './result.js';
import { isBounded } from '../search/state.js';
import { unitsThrough, type SearchShardRun } from './searchResult.js';

/**
 * The checks `merge` relies on, made when a shard file is read so that a hand-edited or
 * corrupted file gets one line naming it and what is wrong (exit 2), never a crash or a silent
 * wrong merge: the types and ranges of the fields merge uses, embedded traces through the trace
 * schema, totals that are the sums of their blocks or units, and the block/unit sequence (every
 * n-th, from the shard's first, none missing, repeated or another shard's).
 */
type Bad = (why: string) => never;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function count(o: Record<string, unknown>, field: string, bad: Bad, prefix = ''): number {
  if (!isCount(o[field])) bad(`${prefix}${field} must be a whole number >= 0, got ${JSON.stringify(o[field])}`);
  return o[field] as number;
}

function object(v: unknown, what: string, bad: Bad): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/** The failure and trace of a run or of one of its items: an object or null, the trace valid. */
function checkFailure(o: Record<string, unknown>, where: string, bad: Bad, prefix: string): void {
  if (o.failure !== null && (typeof o.failure !== 'object' || typeof (o.failure as Record<string, unknown>).message !== 'string')) bad(`${prefix}failure must be null or a failure with a message`);
  if (o.trace === null || o.trace === undefined) return;
  try {
    checkTrace(o.trace, `${where}: ${prefix}trace`);
  } catch (e) {
    if (e instanceof TraceFileError) throw new UsageError(e.message);
    throw e;
  }
}

function checkWarnings(o: Record<string, unknown>, bad: Bad, prefix: string): void {
  if (!Array.isArray(o.warnings) || !o.warnings.every((w) => typeof w === 'object' && w !== null && typeof (w as Record<string, unknown>).message === 'string')) bad(`${prefix}warnings must be a list of warnings with a message`);
}

/** Items at positions first, first + step, ...; totals equal to their sums. */
function checkSequence(items: readonly Record<string, unknown>[], run: Record<string, unknown>, o: { key: string; name: string; first: number; step: number; sums: readonly string[] }, bad: Bad): void {
  items.forEach((item, i) => {
    const expected = o.first + i * o.step;
    if (item[o.key] !== expected) bad(`${o.name} ${i + 1} is ${o.name} ${JSON.stringify(item[o.key])}, expected ${expected} (${o.name}s ${o.first}, ${o.first + o.step}, ${o.first + 2 * o.step}, ...: one is missing, repeated or another shard's)`);
  });
  for (const field of o.sums) {
    const sum = items.reduce((n, item) => n + (item[field] as number), 0);
    if (run[field] !== sum) bad(`${field} is ${JSON.stringify(run[field])}, but its ${o.name}s add up to ${sum}`);
  }
}

function checkCommon(run: Record<string, unknown>, shard: Shard, bad: Bad, stops: readonly string[]): void {
  if (typeof run.scenario !== 'string' || typeof run.variant !== 'string') bad('scenario and variant must be names');
  if (!isShard(run.shard) || run.shard.index !== shard.index || run.shard.of !== shard.of) bad(`shard must be ${shard.index}/${shard.of}, as the file says, got ${JSON.stringify(run.shard)}`);
  if (!stops.includes(run.stoppedBy as string)) bad(`stoppedBy must be one of ${stops.join(', ')}, got ${JSON.stringify(run.stoppedBy)}`);
  for (const f of ['elapsedMs', 'workers']) if (typeof run[f] !== 'number' || !((run[f] as number) >= 0)) bad(`${f} must be a number >= 0`);
  checkWarnings(run, bad, '');
}

/** A sampling run (random, pct, portfolio) as merge reads it. */
export function checkSamplingRun(value: Record<string, unknown>, shard: Shard, where: string): ShardRun {
  const bad: Bad = (why) => {
    throw new UsageError(`${where}: not a shard run: ${why}`);
  };
  if (value.version !== 1) bad(`version must be 1, got ${JSON.stringify(value.version)} (written by another interleave?)`);
  checkCommon(value, shard, bad, ['failure', 'iterations', 'time', 'interrupted']);
  const spec = object(value.strategy, 'strategy', bad);
  if (typeof spec.strategy !== 'string' || !Number.isSafeInteger(spec.seed) || (spec.depth !== undefined && !isCount(spec.depth))) bad('strategy must name a strategy and a whole number seed');
  if (spec.checkDeterminism !== undefined && typeof spec.checkDeterminism !== 'boolean') bad('strategy.checkDeterminism must be true or false');
  if (spec.shape !== undefined) {
    const shape = object(spec.shape, 'strategy.shape', bad);
    if (!isCount(shape.tasks) || !isCount(shape.steps)) bad('strategy.shape must give whole numbers of tasks and steps');
  }
  const first = count(value, 'first', bad);
  const iterations = count(value, 'iterations', bad);
  const blockSize = count(value, 'blockSize', bad);
  if (blockSize < 1) bad('blockSize must be >= 1');
  if (!Array.isArray(value.blocks)) bad('blocks must be a list');
  const blocks = (value.blocks as unknown[]).map((b, i) => object(b, `block ${i + 1}`, bad));
  for (const b of blocks) {
    const at = `block ${JSON.stringify(b.index)}: `;
    for (const f of ['index', 'start', 'count', 'executions', 'steps']) count(b, f, bad, at);
    const start = first + (b.index as number) * blockSize;
    if (b.start !== start || b.count !== Math.min(blockSize, first + iterations - start) || (b.count as number) < 1) bad(`${at}start and count must be ${start} and at most ${blockSize}, within the run's ${iterations} executions`);
    if ((b.executions as number) > (b.count as number)) bad(`${at}executions must be at most its count`);
    if (b.failureAt !== null && !isCount(b.failureAt)) bad(`${at}failureAt must be null or a whole number >= 0`);
    if (b.fuzz !== undefined) {
      const fuzz = object(b.fuzz, `${at}fuzz`, bad);
      if (!Array.isArray(fuzz.pairs) || !(fuzz.pairs as unknown[]).every((p) => typeof p === 'string') || !isCount(fuzz.corpus)) bad(`${at}fuzz must give its reads-from pairs (strings) and a whole number corpus`);
    }
    checkWarnings(b, bad, at);
  }
  checkSequence(blocks, value, { key: 'index', name: 'block', first: shard.index - 1, step: shard.of, sums: ['executions', 'steps'] }, bad);
  if (value.failureAt !== null && !isCount(value.failureAt)) bad('failureAt must be null or a whole number >= 0');
  checkFailure(value, where, bad, '');
  // A run that neither failed nor was stopped ran every one of its blocks.
  const owned = Math.max(0, Math.ceil((Math.ceil(iterations / blockSize) - (shard.index - 1)) / shard.of));
  if (value.failureAt === null && value.stoppedBy === 'iterations' && blocks.length !== owned) bad(`it ran to its end, so it must hold its ${owned} blocks, not ${blocks.length}`);
  return value as unknown as ShardRun;
}

/** A search run (dfs, pb; read in version 2 form) as merge reads it. */
export function checkSearchRun(run: SearchShardRun, shard: Shard, where: string): SearchShardRun {
  const value = run as unknown as Record<string, unknown>;
  const bad: Bad = (why) => {
    throw new UsageError(`${where}: not a search shard run: ${why}`);
  };
  checkCommon(value, shard, bad, ['exhausted', 'failure', 'time', 'interrupted', 'executions', 'bound']);
  const sums = ['executions', 'completeExecutions', 'sleepBlocked', 'depthLimited', 'pruned', 'steps'];
  for (const f of [...sums, 'maxDepth', 'prefix', 'parts']) count(value, f, bad);
  if (typeof value.por !== 'boolean' || typeof value.complete !== 'boolean') bad('por and complete must be true or false');
  const units = run.units as unknown as Record<string, unknown>[];
  for (const u of units) {
    const at = `unit ${JSON.stringify(u.unit)}: `;
    for (const f of [...sums, 'races', 'maxDepth']) count(u, f, bad, at);
    if (typeof u.complete !== 'boolean') bad(`${at}complete must be true or false`);
    checkFailure(u, where, bad, at);
    checkWarnings(u, bad, at);
  }
  checkSequence(units, value, { key: 'unit', name: 'unit', first: shard.index - 1, step: shard.of, sums }, bad);
  if (value.failureUnit !== null && !isCount(value.failureUnit)) bad('failureUnit must be null or a whole number >= 0');
  checkFailure(value, where, bad, '');
  // Only a failure, the time limit or an interrupt ends a search before its last unit: a run
  // that says otherwise holds every unit of the rounds it entered (the tail cannot be cut off).
  if (value.failureUnit === null && value.stoppedBy !== 'time' && value.stoppedBy !== 'interrupted') {
    const reached = run.bound?.reached;
    const owned = unitsThrough(shard, isBounded(run.mode) && isCount(reached) ? reached : 0).length;
    if (units.length !== owned) bad(`it stopped by "${String(value.stoppedBy)}", so it must hold its ${owned} units, not ${units.length}`);
  }
  return run;
}
