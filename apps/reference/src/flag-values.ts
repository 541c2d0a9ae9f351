import { CliError } from "./errors";

/**
 * A flag's value among its choices.
 *
 * @throws {CliError} Naming the flag, the value and every choice.
 */
export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new CliError(`--${flag} "${value}" is not valid: choose one of ${choices.join(", ")}.`);
  }
  return value as T;
}

/**
 * Parses `WIDTHxHEIGHT`, e.g. `178x218`.
 *
 * @throws {CliError} Naming the flag and the form to give, when the value is not one.
 */
export function parseSize(flag: string, value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) {
    throw new CliError(
      `--${flag} "${value}" is not valid: give WIDTHxHEIGHT in pixels, at least 8x8, e.g. 178x218.`,
    );
  }
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * Parses a positive decimal number, e.g. a learning rate.
 *
 * @throws {CliError} Naming the flag and the value, when it is not one.
 */
export function parsePositiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new CliError(`--${flag} "${value}" is not valid: give a positive number, e.g. 0.002.`);
  return n;
}
