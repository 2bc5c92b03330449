export * from './stack';
export * from './live-watcher';
export * from './status-queries';
export * from './config-lab';
export * from './drills-api';
export * from './replicas-lab';
