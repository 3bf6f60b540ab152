import { INVALID_NUMBER, INVALID_OPTION, INVALID_OPTIONS, optionLabel } from '../errors/customerio.messages.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';

/**
 * The bad options met while resolving the module's options, so that one {@link CustomerIOConfigError} names them
 * all; `sources` says which config variable an option came from (its errors name it).
 */
export class OptionProblems {
  readonly #problems: { option: string; message: string }[] = [];
  readonly #sources: Partial<Record<string, string>>;

  constructor(sources: Partial<Record<string, string>>) {
    this.#sources = sources;
  }

  /** How errors name `option`: with the config variable it came from, when known. */
  label(option: string): string {
    return optionLabel(option, this.#sources[option]);
  }

  /** Records a bad option; the value returned only stands in until {@link throwIfAny} throws. */
  fail(option: string, got: unknown, message: (label: string, got: unknown) => string): never {
    this.#problems.push({ option, message: message(this.label(option), got) });
    return undefined as never;
  }

  /** An integer option within [min, max], or its default. */
  integer(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const number = value ?? fallback;
    if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    return this.fail(option, value, (label, got) => INVALID_NUMBER(label, got, range));
  }

  /** An object option (or `{}` when it is not given). */
  object<T extends object>(option: string, value: T | undefined): Partial<T> {
    if (value === undefined) return {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    this.fail(option, value, (label, got) => INVALID_OPTION(label, 'an object', got));
    return {};
  }

  /** Throws one {@link CustomerIOConfigError} naming every bad option recorded, if any. */
  throwIfAny(): void {
    const problems = this.#problems;
    if (problems.length === 0) return;
    const message = problems.length === 1 ? problems[0].message : INVALID_OPTIONS(problems.map((p) => p.message));
    throw new CustomerIOConfigError(
      problems[0].option,
      message,
      problems.map((p) => p.option),
    );
  }
}

/** Whether `value` is a string with something in it besides white space. */
export function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
