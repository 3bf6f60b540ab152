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

  /** Messages logged with `context`, at any level. */
  of(context: string): string[] {
    return this.lines.filter((line) => line.context === context).map((line) => line.message);
  }

  /** Everything logged, one line per message: what a secret must never appear in. */
  get text(): string {
    return this.lines.map((line) => `${line.level} [${line.context ?? ''}] ${line.message}`).join('\n');
  }

  clear(): void {
    this.lines.length = 0;
  }

  #push(level: CapturedLog['level'], message: unknown, rest: unknown[]): void {
    const last = rest.at(-1);
    const context = typeof last === 'string' ? last : undefined;
    const stack = rest.find((item) => typeof item === 'string' && item.includes('\n    at '));
    const text = message instanceof Error ? message.message : String(message);
    this.lines.push({ level, message: stack ? `${text}\n${stack}` : text, context });
  }
}
