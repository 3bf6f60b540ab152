import { BadRequestException } from '@nestjs/common';

// Just enough checking of JSON bodies for a sample; a real app would use DTOs with class-validator or zod.

function fieldOf(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** A non-blank string field of at most `maxLength` characters; else 400. */
export function textField(body: unknown, name: string, maxLength = 200): string {
  const value = fieldOf(body, name);
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw new BadRequestException(`"${name}" must be a non-blank string of at most ${maxLength} characters`);
  }
  return value;
}

/** One of `values`, or `fallback` when the field is absent; else 400. */
export function choiceField<T extends string>(body: unknown, name: string, values: readonly T[], fallback: T): T {
  const value = fieldOf(body, name) ?? fallback;
  if (!values.includes(value as T)) throw new BadRequestException(`"${name}" must be one of ${values.join(', ')}`);
  return value as T;
}

/** An integer from 1 to `max`, or `fallback` when the field is absent; else 400. */
export function countField(body: unknown, name: string, fallback: number, max = 10_000): number {
  const value = fieldOf(body, name) ?? fallback;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new BadRequestException(`"${name}" must be an integer from 1 to ${max}`);
  }
  return value as number;
}
