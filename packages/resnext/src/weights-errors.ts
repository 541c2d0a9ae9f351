import { errorClass, errorMarker } from "@celeba/internal";
import { ResnextError } from "./errors";

/**
 * A pickle asked for a Python global outside the allowlist (the same idea as
 * `torch.load(weights_only=True)`). Nothing from the file is ever executed, so this error
 * is the only effect such a file has.
 *
 * @example
 * try { await readStateDict("evil.pth"); } catch (e) {
 *   if (UnsafePickleError.isInstance(e)) console.log(e.module, e.qualname);
 * }
 */
export class UnsafePickleError extends errorClass(
  ResnextError,
  ["module", "qualname", "source", "offset"],
  (init: {
    /** The Python module of the refused global, e.g. `"os"`. */
    module: string;
    /** The name of the refused global, e.g. `"system"`. */
    qualname: string;
    /** Where the file came from (path, or `"<bytes>"`). */
    source: string;
    /** Byte offset of the opcode in the pickle stream. */
    offset: number;
  }) =>
    `unsafe pickle: global ${init.module}.${init.qualname} is not allowed ` +
    `(in ${init.source}, pickle offset ${init.offset}). Only tensors, storages, ` +
    "OrderedDict and plain Python values can be read, as with torch.load(weights_only=True); " +
    "nothing was executed. If you trust the file, re-save its weights in Python with " +
    "`torch.save(model.state_dict(), path)` or convert them to .safetensors.",
) {
  static override readonly marker: symbol = errorMarker("resnext", "UnsafePickleError");
}

/**
 * The bytes are not a format `readStateDict` knows (PyTorch zip, legacy PyTorch pickle,
 * safetensors), or use a feature of it that is not supported.
 *
 * @example
 * try { await readStateDict("weights.h5"); } catch (e) {
 *   if (UnsupportedFormatError.isInstance(e)) console.log(e.source, e.firstBytes);
 * }
 */
export class UnsupportedFormatError extends errorClass(
  ResnextError,
  ["source", "firstBytes"],
  (init: {
    /** Where the file came from (path, or `"<bytes>"`). */
    source: string;
    /** The first (up to 16) bytes of the file, as hex. */
    firstBytes: string;
    /** What is not supported. */
    detail: string;
  }) =>
    `unsupported weights format in ${init.source}${init.firstBytes === "" ? "" : ` (first bytes: ${init.firstBytes})`}: ${init.detail}`,
) {
  static override readonly marker: symbol = errorMarker("resnext", "UnsupportedFormatError");
}

/**
 * The file has a known format but its contents are inconsistent (truncated, bad offsets,
 * a tensor that reaches past its storage, a CRC mismatch, ...).
 *
 * @example
 * try { await readStateDict("half-downloaded.pth"); } catch (e) {
 *   if (CorruptWeightsError.isInstance(e)) console.log(e.source, e.detail);
 * }
 */
export class CorruptWeightsError extends errorClass(
  ResnextError,
  ["source", "detail"],
  (init: {
    /** Where the file came from (path, or `"<bytes>"`). */
    source: string;
    /** What is wrong, naming the entry/tensor/offset. */
    detail: string;
  }) =>
    `corrupt weights file ${init.source}: ${init.detail}. ` +
    "The file is probably truncated or damaged; download or save it again.",
) {
  static override readonly marker: symbol = errorMarker("resnext", "CorruptWeightsError");
}

/** Hex of the first bytes of a buffer, for error messages. */
export function hexPrefix(bytes: Uint8Array, n = 16): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * A state dict or metadata passed to a writer is inconsistent (data length does not match
 * the shape, a dtype the format cannot store, non-string metadata values, ...).
 *
 * @example
 * try { await writeSafetensors("out.safetensors", sd); } catch (e) {
 *   if (InvalidStateDictError.isInstance(e)) console.log(e.key);
 * }
 */
export class InvalidStateDictError extends errorClass(
  ResnextError,
  ["key"],
  (init: {
    /** The offending tensor name or metadata key. */
    key: string;
    /** What is wrong with it. */
    detail: string;
  }) => `invalid state dict entry "${init.key}": ${init.detail}`,
) {
  static override readonly marker: symbol = errorMarker("resnext", "InvalidStateDictError");
}
