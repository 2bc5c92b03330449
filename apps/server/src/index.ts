export { buildApp, type BuildAppOptions } from './app';
export { loadConfig, type ServerConfig, type Env } from './config';
