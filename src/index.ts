/**
 * interleave: deterministic concurrency fuzzer and model checker.
 * The public API: define scenarios, explore them, replay traces.
 */
export { defineScenario, param, validateScenario, resolveParams } from './scenario.js';
export type { ScenarioDefinition, VariantSpec, ParamSpec, ParamSpecs, Budget, Expectation, StrategyName } from './scenario.js';
export { expectationMet, expectationText } from './expectation.js';
export { ScenarioContext } from './context.js';
// `explore` confirms its failure from fresh modules when given `file`, and takes a `watchdog` (src/robust/checkedExplore.ts).
export { checkedExplore as explore } from './robust/checkedExplore.js';
export type { CheckedExploreOptions as ExploreOptions, CheckedExploreResult as ExploreResult } from './robust/checkedExplore.js';
export type { NotReproducedFresh } from './robust/freshReplay.js';
export { DEFAULT_ITERATIONS } from './explore.js';
export { recordFailure } from './verdict/determinism.js';
export type { Progress } from './explore.js';
export { search, splitSearch, checkState as checkSearchState, initialState as initialSearchState, dependent, footprintOf } from './search/index.js';
export type { SearchOptions, SearchResult, SearchProgress, BoundInfo, SearchState, SearchMode, PathNode, TaskNode, ValueNode, Access as FootprintAccess, Footprint } from './search/index.js';
export { replayTrace, replayDecisions, traceOf, sameFailure } from './replay.js';
export type { ReplayReport, ReplayOutcome, StrategyInfo } from './replay.js';
export { makeTarget, runExecution, DEFAULT_MAX_STEPS } from './run.js';
export type { Target, TargetOptions, RunSettings } from './run.js';
export { Execution } from './runtime/execution.js';
export type { ExecutionOptions, ExecutionResult, DivergenceInfo } from './runtime/execution.js';
export type { Failure, FailureKind, WaitEdge, BlockedTask, ErrorInfo, Warning } from './runtime/failure.js';
export { FAILURE_KINDS, formatCycle } from './runtime/failure.js';
export type { TraceEvent } from './runtime/events.js';
export { describeEvent } from './runtime/events.js';
export { Operation } from './runtime/operation.js';
export type { Access, SharedObject, WaitInfo } from './runtime/operation.js';
export type { TaskView } from './runtime/operation.js';
export {
  KeyError,
  IteratorInvalidated,
  QueueEmpty,
  QueueFull,
  QueueClosed,
  LockError,
  TimeoutError,
  PoolError,
  AssertionFailure,
  UsageError,
  InternalError,
  ScenarioRaisedError,
} from './runtime/errors.js';
export type { Strategy, SchedulingView } from './runtime/strategy.js';
export { Divergence } from './runtime/strategy.js';
export { RandomStrategy } from './strategies/random.js';
export { BoundedRandomStrategy } from './strategies/boundedRandom.js';
export { PctStrategy } from './strategies/pct.js';
export { FirstEnabledStrategy, RoundRobinStrategy } from './strategies/roundRobin.js';
export { ReplayStrategy } from './strategies/replay.js';
export { createStrategy } from './strategies/index.js';
export { traceSchema, traceJsonSchema } from './trace/schema.js';
export type { Trace, Race } from './trace/schema.js';
export { encodeTrace, decodeTrace, readTrace, writeTrace, writeFileAtomic, traceFileName, TraceFileError } from './trace/codec.js';
export type { SharedMap, MapOptions, MapValue, MissingKeys } from './primitives/map.js';
export type { SharedVar } from './primitives/variable.js';
export type { Mutex, ReentrantLock, RwLock, Semaphore } from './primitives/locks.js';
export type { Condition, Event } from './primitives/condition.js';
export type { SharedQueue, QueueOptions } from './primitives/queue.js';
export type { ThreadPool, Future, PoolOptions } from './primitives/pool.js';
export type { TaskHandle } from './primitives/task.js';
export type { WaitOptions } from './primitives/base.js';
export { shrinkTrace, DEFAULT_SHRINK_ATTEMPTS, DEFAULT_SHRINK_TIME_MS } from './shrink/shrinkTrace.js';
export type { ShrinkOptions, ShrinkResult } from './shrink/shrinkTrace.js';
export { failureSignature, traceSignature, sameBug, OPERATION_ERRORS } from './shrink/signature.js';
export { findRaces, formatRace, conflicts } from './shrink/races.js';
export { measureShrink } from './shrink/measure.js';
export type { ShrinkMeasurement } from './shrink/measure.js';
