import { CorruptWeightsError, hexPrefix, UnsupportedFormatError } from "../weights-errors";
import { readFileHead } from "./node-files";
import { FROM_SAFETENSORS } from "./safetensors-dtypes";
import { numel, STATE_DTYPE_BYTES, type StateDict, type StateDtype } from "./state-dict";
import { decodeElements } from "./state-dict-decode";
import { loadWeightsSource } from "./state-dict-source";

/** safetensors' own limit on the JSON header, which also guards against absurd allocations. */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  name: string;
  dtype: StateDtype;
  shape: number[];
  begin: number;
  end: number;
}

function readU64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

/** Whether the bytes plausibly start a safetensors file (length prefix then `{`). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

/**
 * Whether the bytes start as a safetensors file does (a header length, then `{`), whatever that
 * length says: a truncated file passes, so its own parser can report the truncation.
 */
export function startsLikeSafetensors(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && bytes[8] === 0x7b && readU64(bytes) >= 2n;
}

function parseHeader(
  bytes: Uint8Array,
  source: string,
): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  const corrupt = (detail: string) =>
    new CorruptWeightsError({ source, detail: `safetensors: ${detail}` });
  if (bytes.length < 8)
    throw corrupt(`file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw corrupt(`header length ${n} exceeds the file (${bytes.length} bytes) or 100 MB`);
  }
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)),
    );
  } catch (e) {
    throw corrupt(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw corrupt("header is not a JSON object");
  }
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  const dataLength = bytes.length - dataStart;
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof info !== "object" || info === null) throw corrupt("__metadata__ is not an object");
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string") throw corrupt(`__metadata__ value for "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const { dtype, shape, data_offsets } = (info ?? {}) as Record<string, unknown>;
    const dt = typeof dtype === "string" ? FROM_SAFETENSORS[dtype] : undefined;
    if (dt === undefined) {
      throw new UnsupportedFormatError({
        source,
        firstBytes: hexPrefix(bytes),
        detail:
          `tensor "${name}" has safetensors dtype ${JSON.stringify(dtype)}; supported: ` +
          `${Object.keys(FROM_SAFETENSORS).join(", ")}`,
      });
    }
    const isInt = (x: unknown): x is number =>
      typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
    if (!Array.isArray(shape) || !shape.every(isInt))
      throw corrupt(`tensor "${name}" has a bad shape`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every(isInt)) {
      throw corrupt(`tensor "${name}" has bad data_offsets`);
    }
    const [begin, end] = data_offsets as [number, number];
    const expected = numel(shape) * STATE_DTYPE_BYTES[dt];
    if (end < begin || end - begin !== expected || end > dataLength) {
      throw corrupt(
        `tensor "${name}" data_offsets [${begin}, ${end}] do not hold ${expected} bytes ` +
          `inside the ${dataLength}-byte data section`,
      );
    }
    entries.push({ name, dtype: dt, shape, begin, end });
  }
  // JSON objects lose the writer's order for integer-like keys; data order is the file order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // As the format's reference reader does: in offset order the tensors must tile the data section
  // exactly, so no two alias the same bytes and no byte is left unowned.
  let expectedBegin = 0;
  for (const e of entries) {
    if (e.begin !== expectedBegin) {
      const previous = entries[entries.indexOf(e) - 1];
      throw corrupt(
        e.begin < expectedBegin
          ? `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap those of "${previous?.name}" (which end at ${expectedBegin})`
          : `bytes ${expectedBegin} to ${e.begin} of the data section belong to no tensor (a hole before "${e.name}")`,
      );
    }
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataLength) {
    throw corrupt(
      `the tensors end at byte ${expectedBegin} of the ${dataLength}-byte data section; the rest belongs to no tensor`,
    );
  }
  return { entries, metadata, dataStart };
}

/**
 * Read a `.safetensors` file (Hugging Face's format: 8-byte little-endian header length,
 * JSON header, raw little-endian data). Tensors keep the file's names and come in data order.
 *
 * @param pathOrBytes - A file path (Node) or the file's bytes.
 * @returns The state dict.
 * @throws {CorruptWeightsError} For a bad header or offsets.
 * @throws {UnsupportedFormatError} For dtypes a StateTensor cannot hold (e.g. F8, C64).
 * @example
 * const sd = await readSafetensors("model.safetensors");
 * const w = sd.get("fc.weight");
 * console.log(w?.shape);
 */
export async function readSafetensors(pathOrBytes: string | Uint8Array): Promise<StateDict> {
  const { bytes, source } = await loadWeightsSource(pathOrBytes);
  return decodeSafetensors(bytes, source);
}

/** {@link readSafetensors} on bytes already in memory, naming `source` in errors. */
export function decodeSafetensors(bytes: Uint8Array, source: string): StateDict {
  const { entries, dataStart } = parseHeader(bytes, source);
  const sd: StateDict = new Map();
  for (const e of entries) {
    sd.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      data: decodeElements(bytes, dataStart + e.begin, numel(e.shape), e.dtype, true),
    });
  }
  return sd;
}

/**
 * Read only the `__metadata__` of a safetensors file (string to string), without reading
 * the tensor data when given a path.
 *
 * @param pathOrBytes - A file path (Node) or the file's bytes.
 * @returns The metadata; `{}` when the file has none.
 * @throws {CorruptWeightsError} For a bad header.
 * @example
 * const meta = await readSafetensorsMetadata("epoch-3.safetensors");
 * console.log(meta.epoch);
 * // { epoch: "3", arch: "resnext50_32x4d" }
 */
export async function readSafetensorsMetadata(
  pathOrBytes: string | Uint8Array,
): Promise<Record<string, string>> {
  if (typeof pathOrBytes !== "string") {
    const n = pathOrBytes.length >= 8 ? readU64(pathOrBytes) : -1n;
    if (n < 0n || n > BigInt(pathOrBytes.length - 8)) {
      throw new CorruptWeightsError({
        source: "<bytes>",
        detail: "safetensors: header length exceeds the data",
      });
    }
    return parseHeaderMetadataOnly(pathOrBytes.subarray(0, 8 + Number(n)), "<bytes>");
  }
  let headerLength = -1n;
  const { size, head } = await readFileHead(pathOrBytes, (size, first8) => {
    headerLength = first8.length === 8 ? new DataView(first8.buffer).getBigUint64(0, true) : -1n;
    const fits = headerLength >= 0n && headerLength <= BigInt(Math.min(MAX_HEADER_BYTES, size - 8));
    return fits ? 8 + Number(headerLength) : 0;
  });
  if (head.length === 0) {
    throw new CorruptWeightsError({
      source: pathOrBytes,
      detail: `safetensors: header length ${headerLength} does not fit the ${size}-byte file (truncated?)`,
    });
  }
  return parseHeaderMetadataOnly(head, pathOrBytes);
}

function parseHeaderMetadataOnly(bytes: Uint8Array, source: string): Record<string, string> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8)));
  } catch (e) {
    throw new CorruptWeightsError({
      source,
      detail: `safetensors: header is not valid UTF-8 JSON (${(e as Error).message})`,
    });
  }
  const meta = (header as Record<string, unknown> | null)?.__metadata__;
  const out: Record<string, string> = {};
  if (meta !== undefined && meta !== null && typeof meta === "object") {
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== "string") {
        throw new CorruptWeightsError({
          source,
          detail: `safetensors: __metadata__ value for "${k}" is not a string`,
        });
      }
      out[k] = v;
    }
  }
  return out;
}
