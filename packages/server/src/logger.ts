/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Output format of the log: one human-readable line or one JSON object per record. */
export type LogFormat = 'text' | 'json';

/** Structured fields attached to a log record. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger. The server library never prints: it writes only through the logger it is given. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Where lines go (the bin passes `process.stdout`). */
  stream: { write(chunk: string): unknown };
  /** `text` (default) or `json` (one object per line: `time`, `level`, `msg`, then the fields). */
  format?: LogFormat;
  /** Records below this level are dropped; default `info`. */
  level?: LogLevel;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const textValue = (value: unknown): string => {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.stack ?? value.message);
  return JSON.stringify(value) ?? String(value);
};

const jsonSafe = (fields: LogFields): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
};

/**
 * A logger writing to a stream, as text (`2026-01-01T00:00:00.000Z INFO message key=value`) or JSON lines.
 *
 * @example
 * const log = createLogger({ stream: process.stdout, format: 'json' });
 * log.info('model loaded', { model: 'cls', version: '1.0' });
 */
export const createLogger = (options: LoggerOptions): Logger => {
  const format = options.format ?? 'text';
  const threshold = rank[options.level ?? 'info'];
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (rank[level] < threshold) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      options.stream.write(`${JSON.stringify({ time, level, msg: message, ...jsonSafe(fields) })}\n`);
      return;
    }
    const tail = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${textValue(value)}`)
      .join(' ');
    options.stream.write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${tail === '' ? '' : ` ${tail}`}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
};

/** A logger that drops everything (the library default). */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
