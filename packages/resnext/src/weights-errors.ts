import { errorMarker } from "@celeba/internal";
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
export class UnsafePickleError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "UnsafePickleError");
  /** The Python module of the refused global, e.g. `"os"`. */
  readonly module: string;
  /** The name of the refused global, e.g. `"system"`. */
  readonly qualname: string;
  /** Where the file came from (path, or `"<bytes>"`). */
  readonly source: string;
  /** Byte offset of the opcode in the pickle stream. */
  readonly offset: number;

  constructor(init: { module: string; qualname: string; source: string; offset: number }) {
    super({
      message:
        `unsafe pickle: global ${init.module}.${init.qualname} is not allowed ` +
        `(in ${init.source}, pickle offset ${init.offset}). Only tensors, storages, ` +
        "OrderedDict and plain Python values can be read, as with torch.load(weights_only=True); " +
        "nothing was executed. If you trust the file, re-save its weights in Python with " +
        "`torch.save(model.state_dict(), path)` or convert them to .safetensors.",
    });
    this.module = init.module;
    this.qualname = init.qualname;
    this.source = init.source;
    this.offset = init.offset;
  }
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
export class UnsupportedFormatError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "UnsupportedFormatError");
  /** Where the file came from (path, or `"<bytes>"`). */
  readonly source: string;
  /** The first (up to 16) bytes of the file, as hex. */
  readonly firstBytes: string;

  constructor(init: { source: string; firstBytes: string; detail: string }) {
    const prefix = init.firstBytes === "" ? "" : ` (first bytes: ${init.firstBytes})`;
    super({ message: `unsupported weights format in ${init.source}${prefix}: ${init.detail}` });
    this.source = init.source;
    this.firstBytes = init.firstBytes;
  }
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
export class CorruptWeightsError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "CorruptWeightsError");
  /** Where the file came from (path, or `"<bytes>"`). */
  readonly source: string;
  /** What is wrong, naming the entry/tensor/offset. */
  readonly detail: string;

  constructor(init: { source: string; detail: string }) {
    super({
      message:
        `corrupt weights file ${init.source}: ${init.detail}. ` +
        "The file is probably truncated or damaged; download or save it again.",
    });
    this.source = init.source;
    this.detail = init.detail;
  }
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
export class InvalidStateDictError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "InvalidStateDictError");
  /** The offending tensor name or metadata key. */
  readonly key: string;

  constructor(init: { key: string; detail: string }) {
    super({ message: `invalid state dict entry "${init.key}": ${init.detail}` });
    this.key = init.key;
  }
}
