/**
 * The one error template of the `@celeba/*` packages, after vercel/ai's `AISDKError`.
 *
 * Each package ships an ESM and a CJS build, and this module is bundled into each of them, so one
 * class can exist twice in a process and `instanceof` fails across the copies. Every class
 * therefore declares a `Symbol.for("celeba.<package>.<Name>")` marker (one registry, shared by
 * every copy), each instance carries the markers of its whole class chain, and the static
 * `isInstance` checks the marker rather than the prototype.
 *
 * @example
 * class DataError extends CelebaError {
 *   static override readonly marker = errorMarker("data", "DataError");
 * }
 * DataError.isInstance(error); // true for a DataError from either build
 */
export class CelebaError extends Error {
  /** The marker of this class; every subclass declares its own with {@link errorMarker}. */
  static readonly marker: symbol = errorMarker("internal", "CelebaError");

  /**
   * @param init - `message`: what went wrong and how to fix it; `cause`: the underlying error.
   */
  constructor(init: { message: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    // The marker's own name survives bundling, which may rename a class (`Foo2`).
    this.name = markerName((new.target as typeof CelebaError).marker);
    for (let c: unknown = new.target; typeof c === "function"; c = Object.getPrototypeOf(c)) {
      if (!Object.hasOwn(c, "marker")) continue;
      Object.defineProperty(this, (c as typeof CelebaError).marker, { value: true });
      if (c === CelebaError) break;
    }
  }

  /**
   * Whether `value` is an instance of this class (or a subclass), from any copy of the package.
   * Use it instead of `instanceof`.
   */
  static isInstance<T>(this: abstract new (...args: never) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class isInstance was called on, so each subclass checks its own marker.
    const marker = (this as unknown as typeof CelebaError).marker;
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[marker] === true
    );
  }
}

/** The marker of class `name` of package `pkg`: `Symbol.for("celeba.<pkg>.<name>")`. */
export function errorMarker(pkg: string, name: string): symbol {
  return Symbol.for(`celeba.${pkg}.${name}`);
}

function markerName(marker: symbol): string {
  const description = marker.description ?? "Error";
  return description.slice(description.lastIndexOf(".") + 1);
}
