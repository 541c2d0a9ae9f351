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

/**
 * Reads `length` bytes of a file at byte `position` (fewer only at its end), e.g. with a
 * `FileHandle.read` in Node or a `Blob.slice` in a browser.
 */
export type ByteRangeReader = (position: number, length: number) => Promise<Uint8Array>;

/** The `GraphProto` field of `ModelProto` (field 7, length-delimited), empty. */
const EMPTY_GRAPH_FIELD = [(7 << 3) | 2, 0];

/**
 * {@link readOnnxMetadata} on a model file without reading its graph: it walks the file's
 * top-level fields and skips the graph, which holds the weights (90 MB for resnext50_32x4d), so
 * it reads a few kilobytes whatever the model's size.
 *
 * @param read - Reads a byte range of the file.
 * @param size - The file's size in bytes.
 * @param source - A name for messages (the file path).
 * @throws {CorruptWeightsError} When the file is not an ONNX model.
 * @example
 * const file = await open("model.onnx");
 * const info = await readOnnxMetadataFrom(
 *   async (position, length) => {
 *     const { buffer, bytesRead } = await file.read(new Uint8Array(length), 0, length, position);
 *     return buffer.subarray(0, bytesRead);
 *   },
 *   (await file.stat()).size,
 *   "model.onnx",
 * );
 */
export async function readOnnxMetadataFrom(
  read: ByteRangeReader,
  size: number,
  source = "ONNX model",
): Promise<OnnxModelInfo> {
  const corrupt = (detail: string) =>
    new CorruptWeightsError({
      source,
      detail: `it is not an ONNX model (${detail}); export one with "reference export" or torch.onnx.export`,
    });
  const fields: Uint8Array[] = [];
  let hasGraph = false;
  for (let position = 0; position < size; ) {
    // A key and a length are two varints of at most 10 bytes each.
    const head = await read(position, Math.min(20, size - position));
    const key = varint(head, 0);
    if (key === null) throw corrupt(`unreadable field at byte ${position}`);
    const wire = key.value % 8;
    let length: number;
    if (wire === 0) {
      const value = varint(head, key.end);
      if (value === null) throw corrupt(`unreadable integer at byte ${position}`);
      length = value.end;
    } else if (wire === 2) {
      const value = varint(head, key.end);
      if (value === null) throw corrupt(`unreadable length at byte ${position}`);
      length = value.end + value.value;
    } else if (wire === 1 || wire === 5) {
      length = key.end + (wire === 1 ? 8 : 4);
    } else {
      throw corrupt(`wire type ${wire} at byte ${position}`);
    }
    if (position + length > size) throw corrupt(`a field at byte ${position} runs past the end`);
    if (Math.floor(key.value / 8) === 7 && wire === 2) hasGraph = true;
    else fields.push(length <= head.length ? head.slice(0, length) : await read(position, length));
    position += length;
  }
  const total = fields.reduce((n, f) => n + f.length, 0);
  const bytes = new Uint8Array(total + (hasGraph ? EMPTY_GRAPH_FIELD.length : 0));
  let offset = 0;
  for (const f of fields) {
    bytes.set(f, offset);
    offset += f.length;
  }
  if (hasGraph) bytes.set(EMPTY_GRAPH_FIELD, offset);
  return readOnnxMetadata(bytes, source);
}

/** A protobuf varint at `start` (up to 2^53), and where it ends; `null` when truncated. */
function varint(bytes: Uint8Array, start: number): { value: number; end: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = start; i < bytes.length && i < start + 10; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, end: i + 1 };
    scale *= 128;
  }
  return null;
}
