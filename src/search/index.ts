/** Exhaustive search: DFS with source-DPOR and sleep sets, preemption bounding, resumable and splittable state. */
export { search } from './search.js';
export type { SearchOptions, SearchResult, SearchProgress, BoundInfo } from './search.js';
export { splitSearch } from './split.js';
export { checkState, initialState } from './state.js';
export type { SearchState, SearchMode, PathNode, TaskNode, ValueNode } from './state.js';
export { dependent, footprintOf } from '../runtime/footprint.js';
export type { Access, Footprint } from '../runtime/footprint.js';
