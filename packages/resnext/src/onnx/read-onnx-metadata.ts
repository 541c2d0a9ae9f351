import { CorruptWeightsError } from "../weights-errors";
import { modelProtoType } from "./onnx-schema";

/** What {@link readOnnxMetadata} reads from an ONNX model. */
export interface OnnxModelInfo {
  /** `metadata_props`, in file order (later duplicates win). */
  metadata: Record<string, string>;
  /** `producer_name`, e.g. `"@celeba/resnext"` or `"pytorch"`. */
  producerName: string;
  /** The default-domain operator set version. */
  opset: number | null;
}

/**
 * Reads the metadata of an ONNX model (any producer): `metadata_props`, the producer and the
 * opset. Models written by {@link exportOnnx} record `architecture`, `input_size`,
 * `attribute_names` and `normalization` there.
 *
 * @param bytes - The model file's bytes.
 * @param source - A name for messages (the file path).
 * @throws {CorruptWeightsError} When the bytes are not an ONNX model.
 * @example
 * const { metadata } = readOnnxMetadata(readFileSync("model.onnx"), "model.onnx");
 * JSON.parse(metadata.input_size!); // { width: 178, height: 218 }
 */
export function readOnnxMetadata(bytes: Uint8Array, source = "ONNX model"): OnnxModelInfo {
  let decoded: {
    graph?: unknown;
    producerName?: string;
    metadataProps?: { key?: string; value?: string }[];
    opsetImport?: { domain?: string; version?: number | { toNumber(): number } }[];
  };
  try {
    decoded = modelProtoType().decode(bytes) as typeof decoded;
  } catch (error) {
    throw new CorruptWeightsError({
      source,
      detail: `it is not an ONNX model (${(error as Error).message}); export one with "reference export" or torch.onnx.export`,
    });
  }
  if (decoded.graph === undefined || decoded.graph === null) {
    throw new CorruptWeightsError({
      source,
      detail:
        'it has no graph, so it is not an ONNX model; export one with "reference export" or torch.onnx.export',
    });
  }
  const metadata: Record<string, string> = {};
  for (const { key, value } of decoded.metadataProps ?? []) {
    if (key !== undefined) metadata[key] = value ?? "";
  }
  const main = (decoded.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  const version = main?.version;
  return {
    metadata,
    producerName: decoded.producerName ?? "",
    opset: version === undefined ? null : Number(version),
  };
}
