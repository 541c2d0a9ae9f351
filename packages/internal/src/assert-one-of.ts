import type { InvalidOptionInit } from "./invalid-option-error";

/**
 * Throws the package's `InvalidOptionError` unless `value` is one of `choices`; the hint lists
 * them quoted, `"a" or "b"`. For string options with a short, fixed set of values.
 *
 * @param InvalidOptionError - The package's class, e.g. `@celeba/data`'s.
 * @param option - The option's name, as the user wrote it.
 * @param value - What the user passed.
 * @param choices - The accepted values.
 * @example
 * const cropMode = options.cropMode ?? "random";
 * assertOneOf(InvalidOptionError, "cropMode", cropMode, ["random", "center"]);
 */
export function assertOneOf<T extends string>(
  InvalidOptionError: new (init: InvalidOptionInit) => Error,
  option: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if ((choices as readonly unknown[]).includes(value)) return;
  const quoted = choices.map((c) => JSON.stringify(c));
  const hint =
    quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : `${quoted[0]}`;
  throw new InvalidOptionError({ option, value, hint });
}
