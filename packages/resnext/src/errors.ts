import { CelebaError, errorMarker } from "@celeba/internal";

/**
 * Base class of every error thrown by `@celeba/resnext`, so callers can catch the
 * package's errors with one `ResnextError.isInstance(e)` check, which also works across
 * the ESM and CJS copies of the package.
 *
 * @example
 * try { await readStateDict("model.pth"); } catch (e) {
 *   if (ResnextError.isInstance(e)) console.error(e.message);
 * }
 */
export class ResnextError extends CelebaError {
  static override readonly marker: symbol = errorMarker("resnext", "ResnextError");
}
