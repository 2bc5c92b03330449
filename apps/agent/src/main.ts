import { parseArgs } from 'node:util';
import { startAgent } from './agent';
import { loadAgentConfig } from './config-file';
import { createLogger, type LogLevel } from './log';

/*
 * Process entry: keepwatch-agent --config FILE [--log-level debug|info|warn|error]
 * Exit codes: 0 after a clean stop (SIGINT/SIGTERM), 2 for bad arguments or config,
 * 1 for a failure while starting.
 */

const USAGE = 'usage: keepwatch-agent --config FILE [--log-level debug|info|warn|error]';
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

async function main(): Promise<number> {
  let values: { config?: string; 'log-level'?: string };
  try {
    ({ values } = parseArgs({ options: { config: { type: 'string' }, 'log-level': { type: 'string' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const level = values['log-level'] ?? 'info';
  if (!values.config || !LEVELS.has(level)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const log = createLogger({ level: level as LogLevel });
  let config;
  try {
    config = await loadAgentConfig(values.config);
  } catch (err) {
    log.error((err as Error).message);
    return 2;
  }
  const agent = await startAgent(config, { log });
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      log.info(`received ${sig}, shutting down`);
      // A second signal while stopping means "now".
      process.once(sig, () => process.exit(130));
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await agent.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger().error('fatal', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  },
);
