import { InvalidStateDictError } from "../weights-errors";
import { writeFileReplacing } from "./node-files";
import { TO_SAFETENSORS } from "./safetensors-dtypes";
import { numel, STATE_DTYPE_BYTES, type StateDict, type StateTensor } from "./state-dict";
import { HOST_LITTLE_ENDIAN, numberToBfloat16Bits, numberToFloat16Bits } from "./state-dict-decode";

// Writing `.safetensors`: the bytes (any platform) and an atomic file write (Node).

function encodeTensor(name: string, t: StateTensor): Uint8Array {
  const n = numel(t.shape);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidStateDictError({ key: name, detail: `bad shape [${t.shape}]` });
  }
  if (t.data.length !== n) {
    throw new InvalidStateDictError({
      key: name,
      detail: `data has ${t.data.length} elements but shape [${t.shape}] needs ${n}`,
    });
  }
  if (!(t.dtype in TO_SAFETENSORS)) {
    throw new InvalidStateDictError({
      key: name,
      detail: `dtype ${String(t.dtype)} cannot be stored`,
    });
  }
  const width = STATE_DTYPE_BYTES[t.dtype];
  const out = new Uint8Array(n * width);
  const src = t.data;
  const sameLayout =
    HOST_LITTLE_ENDIAN &&
    ((t.dtype === "float32" && src instanceof Float32Array) ||
      (t.dtype === "float64" && src instanceof Float64Array) ||
      (t.dtype === "int64" && src instanceof BigInt64Array) ||
      (t.dtype === "int32" && src instanceof Int32Array) ||
      (t.dtype === "int16" && src instanceof Int16Array) ||
      (t.dtype === "int8" && src instanceof Int8Array) ||
      (t.dtype === "uint8" && src instanceof Uint8Array));
  if (sameLayout) {
    out.set(new Uint8Array(src.buffer, src.byteOffset, out.length));
    return out;
  }
  const v = new DataView(out.buffer);
  const num = (i: number): number => Number(src[i]!);
  for (let i = 0; i < n; i++) {
    switch (t.dtype) {
      case "float32":
        v.setFloat32(i * 4, num(i), true);
        break;
      case "float64":
        v.setFloat64(i * 8, num(i), true);
        break;
      case "float16":
        v.setUint16(i * 2, numberToFloat16Bits(num(i)), true);
        break;
      case "bfloat16":
        v.setUint16(i * 2, numberToBfloat16Bits(num(i)), true);
        break;
      case "int64":
        v.setBigInt64(i * 8, BigInt(Math.trunc(num(i))), true);
        break;
      case "int32":
        v.setInt32(i * 4, num(i), true);
        break;
      case "int16":
        v.setInt16(i * 2, num(i), true);
        break;
      case "int8":
        v.setInt8(i, num(i));
        break;
      case "uint8":
        v.setUint8(i, num(i));
        break;
      case "bool":
        v.setUint8(i, num(i) ? 1 : 0);
        break;
    }
  }
  return out;
}

/**
 * Serialise a state dict to safetensors bytes, in the dict's order, with the header padded
 * with spaces to a multiple of 8 bytes as the reference implementation does. float16 and
 * bfloat16 tensors are rounded back to their dtype (exact for values read from such files).
 *
 * @param sd - The tensors.
 * @param metadata - Optional string-to-string `__metadata__`.
 * @returns The file's bytes.
 * @throws {InvalidStateDictError} For a tensor whose data does not match its shape, or
 *   non-string metadata.
 * @example
 * const bytes = encodeSafetensors(model.stateDict(), { epoch: "3" });
 * await fetch("/upload", { method: "PUT", body: bytes });
 * const back = await readSafetensors(bytes);
 */
export function encodeSafetensors(sd: StateDict, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new InvalidStateDictError({
          key: `__metadata__.${k}`,
          detail: `metadata values must be strings, got ${typeof v}; use String(value)`,
        });
      }
    }
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of sd) {
    if (name === "__metadata__") {
      throw new InvalidStateDictError({
        key: name,
        detail: "this name is reserved by safetensors",
      });
    }
    const blob = encodeTensor(name, t);
    header[name] = {
      dtype: TO_SAFETENSORS[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + blob.length],
    };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const b of blobs) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/**
 * Write a state dict as a `.safetensors` file that Python's `safetensors.torch.load_file`
 * reads. The write is atomic and durable: a temporary file in the same folder is fsynced,
 * renamed over `path`, and the folder fsynced, so neither a crash nor a power cut leaves a
 * half-written checkpoint.
 *
 * @param path - Destination file path (Node only).
 * @param sd - The tensors, written in the dict's order.
 * @param metadata - Optional string-to-string `__metadata__` (e.g. `{ epoch: "3" }`).
 * @returns Resolves once the file is in place.
 * @throws {InvalidStateDictError} For inconsistent tensors or metadata.
 * @example
 * await writeSafetensors("epoch-3.safetensors", model.stateDict(), { epoch: "3" });
 * const meta = await readSafetensorsMetadata("epoch-3.safetensors");
 * console.log(meta.epoch); // "3"
 */
export async function writeSafetensors(
  path: string,
  sd: StateDict,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(sd, metadata);
  await writeFileReplacing(path, bytes);
}
