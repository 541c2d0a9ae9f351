/**
 * Base class of every error thrown by `@celeba/resnext`, so callers can catch the
 * package's errors with one `instanceof` check.
 *
 * @example
 * try { await readStateDict("model.pth"); } catch (e) {
 *   if (e instanceof ResnextError) console.error(e.message);
 * }
 */
export class ResnextError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
