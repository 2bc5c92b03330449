export * from './run-load';
export * from './proc-stats';
export * from './live-watch';
export * from './sim-agent';
export * from './replica-load';
