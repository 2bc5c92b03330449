/** One line per event on stderr: ISO time, level, component, message, then key=value fields. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
}

export type LogSink = (line: string) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
}

export function formatLine(
  level: LogLevel,
  component: string,
  msg: string,
  fields?: LogFields,
  now = new Date(),
): string {
  const extra = fields
    ? Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}=${formatValue(v)}`)
        .join('')
    : '';
  return `${now.toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}${extra}`;
}

export function createLogger(
  opts: { component?: string; level?: LogLevel; sink?: LogSink } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const sink: LogSink = opts.sink ?? ((line) => process.stderr.write(`${line}\n`));
  const make = (component: string): Logger => {
    const at =
      (level: LogLevel) =>
      (msg: string, fields?: LogFields): void => {
        if (ORDER[level] >= min) sink(formatLine(level, component, msg, fields));
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (sub) => make(`${component}.${sub}`),
    };
  };
  return make(opts.component ?? 'agent');
}

/** A logger that drops everything (tests, or callers that bring none). */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
