import { errorMarker, formatValue, invalidOptionErrorClass } from "@celeba/internal";
import { MetricsError } from "./metrics-error";

// Every error of the package, from one module: the base, the inputs' errors and the options'.
export {
  EmptyInputError,
  InvalidLabelError,
  InvalidShapeError,
  type MatrixCell,
  NamesLengthError,
  NonFiniteScoreError,
  ShapeMismatchError,
} from "./input-errors";
export { MetricsError } from "./metrics-error";

/**
 * An option has a value outside what it accepts.
 *
 * @example
 * try { getAccuracy([[1]], [[1]], { threshold: Number.NaN }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option, e.value); }
 */
export class InvalidOptionError extends invalidOptionErrorClass(
  MetricsError,
  (init, shown) =>
    `option ${init.option} is ${formatValue(init.value, { typed: true })}; ${init.hint ?? "it is not accepted"}.${shown.choices}`,
) {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidOptionError");
}
