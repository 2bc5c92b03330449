export * from './protocol/common';
export * from './protocol/agent-messages';
export * from './protocol/agent-config';
export * from './protocol/status';
export * from './protocol/live-messages';
export * from './protocol/rest';
export * from './protocol/codec';
export * from './domain';
