export * from './client-probe';
export * from './tcp-exchange';
