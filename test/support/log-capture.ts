import type { LoggerService } from '@nestjs/common';

/** One line written through Nest's `Logger`. */
export interface CapturedLog {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context?: string;
}

/**
 * A Nest logger that records what it is given instead of printing it. Pass it as
 * `createNestApplication({ logger })`; Nest makes it the process-wide `Logger` target, so share one
 * instance between the apps of a test file.
 */
export class LogCapture implements LoggerService {
  readonly lines: CapturedLog[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.#push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.#push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.#push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.#push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.#push('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.#push('fatal', message, rest);
  }

  /** Messages of `level`, optionally only those of `context`. */
  messages(level: CapturedLog['level'], context?: string): string[] {
    return this.lines
      .filter((line) => line.level === level && (context === undefined || line.context === context))
      .map((line) => line.message);
  }

  clear(): void {
    this.lines.length = 0;
  }

  #push(level: CapturedLog['level'], message: unknown, rest: unknown[]): void {
    const last = rest.at(-1);
    const context = typeof last === 'string' ? last : undefined;
    this.lines.push({ level, message: message instanceof Error ? message.message : String(message), context });
  }
}
