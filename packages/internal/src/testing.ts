/**
 * `@celeba/internal/testing`: helpers for the packages' tests only (never imported by their
 * sources, so never bundled).
 */

/**
 * The error `fn` throws, narrowed to `ErrorClass`; throws when `fn` returns, and rethrows any
 * other error so that the test shows it.
 *
 * @param ErrorClass - A class of the error template (anything with a static `isInstance`).
 * @param fn - The call that should throw.
 * @example
 * const e = thrownBy(AnnotationError, () => parseAttributes(text, "f.txt"));
 * expect(e.line).toBe(3);
 */
export function thrownBy<T>(
  ErrorClass: (abstract new (...args: never) => T) & { isInstance(value: unknown): boolean },
  fn: () => unknown,
): T {
  try {
    fn();
  } catch (error) {
    if (ErrorClass.isInstance(error)) return error as T;
    throw error;
  }
  throw new Error(`expected ${ErrorClass.name} to be thrown`);
}
