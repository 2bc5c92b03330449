import { parseArgs } from 'node:util';
import { runInteractive } from './exec';
import { Lab, type ServiceAction } from './lab';
import { formatError, formatStatus } from './lab-status';
import { hostByName, isServiceKind } from './topology';

/*
 * `pnpm lab up|down|status|service|exec`: a thin wrapper over the Lab class. Only `up`
 * handles signals: Ctrl-C there aborts the build and the Lab tears down what it made.
 */

const USAGE = `usage: pnpm lab [--prefix kw] [--subnet 10.77.0] [--scheme master-backup|dual-master]
                [--config default|keepwatch] [--base-dir DIR]
         up | down | status [--json]
         service <lb1|lb2|web1|web2> <nginx|keepalived|tomcat> <start|stop|kill|status>
         exec <host> -- <cmd...>`;

const ACTIONS: readonly ServiceAction[] = ['start', 'stop', 'kill', 'status'];

async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const passthrough = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      prefix: { type: 'string' },
      subnet: { type: 'string' },
      scheme: { type: 'string' },
      config: { type: 'string' },
      'base-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    console.log(USAGE);
    return cmd || values.help ? 0 : 2;
  }
  // Unset --subnet/--scheme mean "whatever the running lab uses" (the Lab reads state.json).
  const scheme = values.scheme;
  if (scheme !== undefined && scheme !== 'master-backup' && scheme !== 'dual-master')
    throw new Error(`unknown --scheme ${scheme}`);
  const config = values.config;
  if (config !== undefined && config !== 'default' && config !== 'keepwatch')
    throw new Error(`unknown --config ${config}: default or keepwatch`);
  const lab = new Lab({
    prefix: values.prefix,
    subnet: values.subnet,
    scheme,
    config,
    baseDir: values['base-dir'],
    log: (line) => console.error(`[lab +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
  });

  switch (cmd) {
    case 'up':
      return up(lab);
    case 'down': {
      const t0 = Date.now();
      await lab.down();
      console.error(`[lab] down in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'status': {
      const s = await lab.status();
      console.log(values.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      return 0;
    }
    case 'service': {
      const [host, svc, action = 'status'] = rest;
      if (
        !host ||
        !svc ||
        !isServiceKind(svc) ||
        !(ACTIONS as readonly string[]).includes(action)
      ) {
        console.error(USAGE);
        return 2;
      }
      const st = await lab.service(host, svc, action as ServiceAction);
      console.log(
        `${host} ${svc}: ${st.running ? 'running' : 'stopped'}${st.pids.length ? ` (pids ${st.pids.join(',')})` : ''}`,
      );
      return 0;
    }
    case 'exec': {
      const [host] = rest;
      if (!host || passthrough.length === 0) {
        console.error(USAGE);
        return 2;
      }
      return runInteractive([
        'ip',
        'netns',
        'exec',
        hostByName(lab.topology, host).ns,
        ...passthrough,
      ]);
    }
    default:
      console.error(`unknown command ${cmd}\n${USAGE}`);
      return 2;
  }
}

async function up(lab: Lab): Promise<number> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    // pnpm and tsx forward the same Ctrl-C again; one teardown is enough.
    if (ac.signal.aborted) return;
    console.error(`[lab] ${sig}: aborting and tearing the lab down`);
    ac.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const t0 = Date.now();
  try {
    const s = await lab.up({ signal: ac.signal });
    console.log(formatStatus(s));
    console.error(`[lab] up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[lab] error: ${formatError(err)}`);
    process.exit(1);
  },
);
