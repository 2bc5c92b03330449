export { startAgent, type RunningAgent, type StartAgentOptions } from './agent';
export { createLogger, silentLogger, type Logger } from './log';
export { loadAgentConfig } from './config-file';
