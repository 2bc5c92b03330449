export * from './node-view';
export * from './cluster-status';
export { CLOCK_SKEW_MS } from './cluster-rules';
export * from './rule-thresholds';
export * from './finding-codes';
