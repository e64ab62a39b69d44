/** Reading typed option values, with a `UsageError` naming the option when one is wrong. */
import type { ParsedArgs } from './command.ts';
import { UsageError } from './command.ts';

/** A string option's value, or undefined. */
export function optional(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function required(args: ParsedArgs, name: string): string {
  const v = optional(args, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`missing required option --${name}`);
  return v;
}

/** A value checked against a list; undefined when the option is absent. */
export function optionalChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[]): T | undefined {
  const v = optional(args, name);
  if (v === undefined) return undefined;
  return choice(name, v, choices);
}

export function requiredChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[]): T {
  return choice(name, required(args, name), choices);
}

function choice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got ${JSON.stringify(value)})`);
  return value as T;
}

/** An integer between `min` and `max`. */
export function requiredInt(args: ParsedArgs, name: string, min: number, max: number): number {
  return int(name, required(args, name), min, max);
}

export function optionalInt(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = optional(args, name);
  return v === undefined ? undefined : int(name, v, min, max);
}

function int(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

/** Every value of a repeatable option, commas also separating values. */
export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  const raw = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
