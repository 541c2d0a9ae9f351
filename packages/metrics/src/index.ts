export type { AttributeMetrics, AttributeReport } from "./attribute-report";
export { attributeReport } from "./attribute-report";
export type { MatrixCell } from "./errors";
export {
  EmptyInputError,
  InvalidLabelError,
  InvalidOptionError,
  InvalidShapeError,
  MetricsError,
  NamesLengthError,
  NonFiniteScoreError,
  ShapeMismatchError,
} from "./errors";
export type { FormatAttributeTableOptions } from "./format-attribute-table";
export { formatAttributeTable } from "./format-attribute-table";
export { get_accuracy, getAccuracy } from "./get-accuracy";
export type { MajorityBaseline } from "./majority-baseline";
export { majorityBaseline } from "./majority-baseline";
export type { FlatMatrix, MatrixInput, NumericArray, TensorLike } from "./matrix";
export { perAttributeAccuracy } from "./per-attribute-accuracy";
export type { ThresholdOptions } from "./validate-inputs";
