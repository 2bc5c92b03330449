import { parseArgs, type ParseArgsConfig } from 'node:util';
import { run as exec } from '../exec';
import type { LogLevel } from '../log';
import { AGENT_VERSION } from '../version';
import { DEFAULT_CONFIG } from './enroll-config';
import { enroll } from './enroll-command';
import { install, uninstall } from './install-command';
import { runAgent } from './run-command';
import type { SdNotifyEnv } from './sd-notify';

export const USAGE = `usage:
  keepwatch-agent run --config FILE [--log-level debug|info|warn|error]
  keepwatch-agent enroll --server URL --token TOKEN [--name NAME] [--cluster ID] [--role lb|backend]
                         [--config FILE] [--state-dir DIR] [--ca FILE | --fingerprint SHA256] [--allow-insecure]
                         [--replicas URL,URL...]   (the panel's other server replicas, tried in turn)
  keepwatch-agent install [--config FILE] [--binary PATH] [--root DIR]
  keepwatch-agent uninstall [--root DIR]
  keepwatch-agent version`;

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

class UsageError extends Error {}

function parse<T extends ParseArgsConfig['options']>(
  args: string[],
  options: T,
): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const str = (v: string | boolean | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

async function runCommand(args: string[], env: SdNotifyEnv): Promise<number> {
  const v = parse(args, { config: { type: 'string' }, 'log-level': { type: 'string' } });
  const level = str(v['log-level']) ?? 'info';
  const config = str(v['config']);
  if (!config || !LEVELS.has(level)) throw new UsageError('run needs --config FILE');
  return runAgent(config, level as LogLevel, env);
}

async function enrollCommand(args: string[]): Promise<number> {
  const v = parse(args, {
    server: { type: 'string' },
    token: { type: 'string' },
    name: { type: 'string' },
    cluster: { type: 'string' },
    role: { type: 'string' },
    config: { type: 'string' },
    'state-dir': { type: 'string' },
    ca: { type: 'string' },
    fingerprint: { type: 'string' },
    'allow-insecure': { type: 'boolean' },
    replicas: { type: 'string' },
  });
  const server = str(v['server']);
  const token = str(v['token']);
  const role = str(v['role']) ?? 'lb';
  if (!server || !token) throw new UsageError('enroll needs --server URL and --token TOKEN');
  if (role !== 'lb' && role !== 'backend') throw new UsageError('--role must be lb or backend');
  if (v['ca'] && v['fingerprint']) throw new UsageError('give --ca or --fingerprint, not both');
  await enroll({
    server,
    token,
    role,
    out,
    config: str(v['config']) ?? DEFAULT_CONFIG,
    name: str(v['name']),
    cluster: str(v['cluster']),
    caFile: str(v['ca']),
    fingerprint: str(v['fingerprint']),
    stateDir: str(v['state-dir']),
    allowInsecure: v['allow-insecure'] === true,
    replicas: (str(v['replicas']) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== ''),
  });
  return 0;
}

/** How systemd should start this very program: the SEA binary itself, or node + the bundle. */
function selfCommand(binary: string | undefined): string[] {
  if (binary)
    return binary.endsWith('.mjs') || binary.endsWith('.js')
      ? [process.execPath, binary]
      : [binary];
  const script = process.argv[1];
  // In a single executable argv[1] is the executable again; under node it is the script.
  if (!script || script === process.execPath || !/\.(m?js|ts)$/.test(script))
    return [process.execPath];
  return [process.execPath, script];
}

async function installCommand(args: string[], remove: boolean): Promise<number> {
  if (remove) {
    const v = parse(args, { root: { type: 'string' } });
    await uninstall({ root: str(v['root']) ?? '/', exec, out });
    return 0;
  }
  const v = parse(args, {
    config: { type: 'string' },
    binary: { type: 'string' },
    root: { type: 'string' },
  });
  await install({
    config: str(v['config']) ?? DEFAULT_CONFIG,
    command: selfCommand(str(v['binary'])),
    root: str(v['root']) ?? '/',
    exec,
    out,
  });
  return 0;
}

/** Runs one command line; returns the exit code. */
export async function dispatch(argv: string[], env: SdNotifyEnv): Promise<number> {
  const [first, ...rest] = argv;
  try {
    switch (first) {
      case 'run':
        return await runCommand(rest, env);
      case 'enroll':
        return await enrollCommand(rest);
      case 'install':
        return await installCommand(rest, false);
      case 'uninstall':
        return await installCommand(rest, true);
      case 'version':
      case '--version':
        out(
          `keepwatch-agent ${AGENT_VERSION} (node ${process.versions.node}, ${process.platform}-${process.arch})`,
        );
        return 0;
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return 0;
      case undefined:
        throw new UsageError('no command given');
      default:
        // Backwards compatible: `keepwatch-agent --config FILE` is `run`.
        if (first.startsWith('--')) return await runCommand(argv, env);
        throw new UsageError(`unknown command ${JSON.stringify(first)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (first === 'run' || first?.startsWith('--')) throw err;
    process.stderr.write(`keepwatch-agent ${first ?? ''}: ${(err as Error).message}\n`);
    return 1;
  }
}
