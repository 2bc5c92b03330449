import { startAgent } from '../agent';
import { loadAgentConfig } from '../config-file';
import { run as exec } from '../exec';
import { createLogger, type LogLevel } from '../log';
import { transportOptions, wsClientOptions } from '../tls-connect';
import { insecureTransportError } from '../tls';
import { startSdNotify, type SdNotifyEnv } from './sd-notify';

/** `keepwatch-agent run --config FILE`: runs until SIGINT/SIGTERM. Returns the exit code. */
export async function runAgent(
  configPath: string,
  level: LogLevel,
  env: SdNotifyEnv,
): Promise<number> {
  const log = createLogger({ level });
  let config;
  let transport;
  try {
    config = await loadAgentConfig(configPath);
    transport = await transportOptions(config.server);
    // Every replica is held to the same rule as the main URL (no plain ws:// off loopback).
    for (const url of config.server.replicas ?? []) {
      const refused = insecureTransportError({ ...config.server, url });
      if (refused) throw new Error(`server.replicas: ${refused}`);
    }
  } catch (err) {
    log.error((err as Error).message);
    return 2;
  }
  const agent = await startAgent(config, { log, wsOptions: wsClientOptions(transport) });
  const stopNotify = startSdNotify(env, exec, log.child('systemd'));
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
  stopNotify();
  await agent.stop();
  return 0;
}
