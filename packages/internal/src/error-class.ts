import type { CelebaError } from "./celeba-error";

/** A class of the error template: a {@link CelebaError} (sub)class with its marker. */
export type CelebaErrorClass = (abstract new (init: {
  message: string;
  cause?: unknown;
}) => CelebaError) & { readonly marker: symbol };

/**
 * The class {@link errorClass} returns: `Base`'s statics, and a constructor that takes an `Init`
 * and makes an instance of `Base` with the `Fields` of `Init`, read-only (their TSDoc is `Init`'s).
 */
export type ErrorClassWith<Base extends CelebaErrorClass, Init, Fields extends keyof Init> = Omit<
  Base,
  "prototype"
> &
  (new (
    init: Init,
  ) => InstanceType<Base> & Readonly<Pick<Init, Fields>>);

/**
 * The base of one error class of the template, so that a package declares each class by its data
 * alone: the object its constructor takes (`Init`, the type of `message`'s parameter), which of
 * its `fields` the instance keeps, and the wording of the message. An `Init` with a `cause` passes
 * it on as the error's cause. The package's class extends the result and declares only its own
 * marker and TSDoc.
 *
 * @param Base - The class to extend, e.g. the package's base error `DataError`.
 * @param fields - The keys of `Init` copied onto the instance, e.g. `["file", "line"]`.
 * @param message - What went wrong and how to fix it, worded from the `Init`.
 * @example
 * export class AnnotationError extends errorClass(
 *   DataError,
 *   ["file", "line"],
 *   (init: { file: string; line: number; problem: string }) => `${init.file}:${init.line}: ${init.problem}`,
 * ) {
 *   static override readonly marker: symbol = errorMarker("data", "AnnotationError");
 * }
 */
export function errorClass<
  Base extends CelebaErrorClass,
  Init extends object,
  Fields extends keyof Init,
>(
  Base: Base,
  fields: readonly Fields[],
  message: (init: Init) => string,
): ErrorClassWith<Base, Init, Fields> {
  // No marker of its own: the subclass's names the error, and Base's chain marks it.
  const Parent = Base as unknown as new (init: { message: string; cause?: unknown }) => CelebaError;
  class WithFields extends Parent {
    constructor(init: Init) {
      super({ message: message(init), cause: (init as { cause?: unknown }).cause });
      for (const key of fields) (this as unknown as Init)[key] = init[key];
    }
  }
  return WithFields as unknown as ErrorClassWith<Base, Init, Fields>;
}
