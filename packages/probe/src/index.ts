export * from './client-probe';
