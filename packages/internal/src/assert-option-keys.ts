import type { InvalidOptionInit } from "./invalid-option-error";

/**
 * Throws the package's `InvalidOptionError` unless `options` is an object whose every key is in
 * `keys`: a misspelt option fails loudly instead of being ignored. The error names the first
 * unknown key and lists the accepted ones.
 *
 * @param InvalidOptionError - The package's class, e.g. `@celeba/resnext`'s.
 * @param options - What the user passed as the options object.
 * @param keys - The accepted option names.
 * @param wording - How the error calls an option (`"option name"`) and what to do about it.
 * @example
 * assertOptionKeys(InvalidOptionError, options, ["inputSize", "normalize"], {
 *   option: "exportOnnx option",
 *   hint: "Remove or rename it.",
 * });
 */
export function assertOptionKeys(
  InvalidOptionError: new (init: InvalidOptionInit) => Error,
  options: unknown,
  keys: readonly string[],
  wording: { option: string; hint: string },
): asserts options is object {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError({
      option: "options",
      value: options,
      hint: "Pass an options object, e.g. {}.",
    });
  }
  const unknown = Object.keys(options).find((key) => !keys.includes(key));
  if (unknown !== undefined) {
    throw new InvalidOptionError({
      option: wording.option,
      value: unknown,
      hint: wording.hint,
      validChoices: keys,
    });
  }
}
