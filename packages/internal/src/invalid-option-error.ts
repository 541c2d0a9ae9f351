import { type CelebaErrorClass, errorClass } from "./error-class";
import { formatValue } from "./format-value";

/** The fields every package's `InvalidOptionError` carries: one name and one shape for a bad option. */
export interface InvalidOptionInit {
  /** The option's name, as the user wrote it, e.g. `"batchSize"` or `"optimizer.name"`. */
  option: string;
  /** The rejected value (leave it out when the option was missing). */
  value?: unknown;
  /** The accepted values, when there is a finite list of them. */
  validChoices?: readonly string[];
  /** What would be accepted, or how to fix it. */
  hint?: string;
}

/** What an `InvalidOptionError` instance exposes, read-only, from its {@link InvalidOptionInit}. */
export interface InvalidOptionFields {
  /** The option's name, as the user wrote it, e.g. `"batchSize"` or `"optimizer.name"`. */
  readonly option: string;
  /** The rejected value (`undefined` when the option was missing). */
  readonly value: unknown;
  /** The accepted values, when there is a finite list of them. */
  readonly validChoices: readonly string[] | undefined;
  /** What would be accepted, or how to fix it. */
  readonly hint: string | undefined;
}

/**
 * The base of a package's `InvalidOptionError`: a subclass of the package's base error whose
 * constructor takes an {@link InvalidOptionInit}, words the message with `message`, and copies the
 * fields onto the instance. The package's class extends it and declares only its own marker (and
 * TSDoc), so that every package has one shape for a bad option and each keeps its own wording.
 *
 * @param Base - The package's base error, e.g. `MetricsError`.
 * @param message - The package's wording of the message, from the init and its parts as shown:
 *   the value by {@link formatValue}, and the {@link validChoicesSentence}.
 * @example
 * export class InvalidOptionError extends invalidOptionErrorClass(
 *   DataError,
 *   (init, shown) => `bad ${init.option}: ${shown.value}.${shown.choices}`,
 * ) {
 *   static override readonly marker: symbol = errorMarker("data", "InvalidOptionError");
 * }
 */
export function invalidOptionErrorClass<Base extends CelebaErrorClass>(
  Base: Base,
  message: (init: InvalidOptionInit, shown: { value: string; choices: string }) => string,
): InvalidOptionErrorClass<Base> {
  const fields = ["option", "value", "validChoices", "hint"] as const;
  const words = (init: InvalidOptionInit) =>
    message(init, {
      value: formatValue(init.value),
      choices: validChoicesSentence(init.validChoices),
    });
  return errorClass(Base, fields, words) as unknown as InvalidOptionErrorClass<Base>;
}

/**
 * The class {@link invalidOptionErrorClass} returns: `Base`'s statics, and a constructor that
 * takes an {@link InvalidOptionInit} and makes an instance of `Base` with {@link InvalidOptionFields}.
 */
export type InvalidOptionErrorClass<Base extends CelebaErrorClass> = Omit<Base, "prototype"> &
  (new (
    init: InvalidOptionInit,
  ) => InstanceType<Base> & InvalidOptionFields);

/**
 * The message `Invalid <option>: <value>. <hint> Valid choices: a, b.` of the packages whose
 * `InvalidOptionError` reads that way (resnext, train); `quoteChoices` shows the choices as JSON.
 */
export function invalidOptionMessage(
  init: InvalidOptionInit,
  options: { quoteChoices?: boolean } = {},
): string {
  const shown = options.quoteChoices
    ? init.validChoices?.map((c) => JSON.stringify(c))
    : init.validChoices;
  return `Invalid ${init.option}: ${formatValue(init.value)}. ${init.hint ?? ""}${validChoicesSentence(shown)}`;
}

/** ` Valid choices: a, b.`, or `""` when there is no list; the tail of every package's message. */
export function validChoicesSentence(choices: readonly string[] | undefined): string {
  return choices ? ` Valid choices: ${choices.join(", ")}.` : "";
}
