// ONNX export (the `@celeba/resnext/onnx` entry point): kept apart so the core stays small.
export type { ExportOnnxOptions, OnnxNormalization } from "./export-onnx";
export {
  exportOnnx,
  IMAGENET_MEAN,
  IMAGENET_STD,
  ONNX_INPUT_NAME,
  ONNX_NORMALIZATIONS,
  ONNX_OPSET,
  ONNX_OUTPUT_NAME,
} from "./export-onnx";

export {
  type ByteRangeReader,
  type OnnxModelInfo,
  readOnnxMetadata,
  readOnnxMetadataFrom,
} from "./read-onnx-metadata";
