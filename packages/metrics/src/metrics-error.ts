import { CelebaError, errorMarker } from "@celeba/internal";

/**
 * Base class of every error thrown by `@celeba/metrics`; catch this to handle them all.
 *
 * @example
 * try { getAccuracy(scores, labels); }
 * catch (e) { if (MetricsError.isInstance(e)) console.error(e.message); }
 */
export class MetricsError extends CelebaError {
  static override readonly marker: symbol = errorMarker("metrics", "MetricsError");
}
