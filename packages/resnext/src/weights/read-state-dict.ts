import { looksLikeZip } from "@celeba/internal";
import { hexPrefix, UnsupportedFormatError } from "../weights-errors";
import { stripModulePrefix } from "./pickle-torch";
import { looksLikeLegacyTorch, readTorchLegacy, readTorchZip } from "./pickle-torch-formats";
import { decodeSafetensors, looksLikeSafetensors, startsLikeSafetensors } from "./safetensors";
import type { StateDict } from "./state-dict";
import { loadWeightsSource } from "./state-dict-source";

/** The file formats {@link readStateDict} recognises by content. */
export type WeightsFormat = "torch-zip" | "torch-legacy" | "safetensors";

/**
 * Which weights format some bytes are in, judged by content (never by file extension).
 *
 * @param bytes - The start of the file (the first 16 bytes suffice, except for
 *   safetensors, whose header length is checked against the full length).
 * @returns The format, or `undefined` when none matches.
 * @example
 * const bytes = new Uint8Array(await readFile("model.bin"));
 * detectWeightsFormat(bytes); // "torch-zip"
 * detectWeightsFormat(new Uint8Array([1, 2, 3])); // undefined
 */
export function detectWeightsFormat(bytes: Uint8Array): WeightsFormat | undefined {
  if (looksLikeZip(bytes)) return "torch-zip";
  if (looksLikeLegacyTorch(bytes)) return "torch-legacy";
  if (looksLikeSafetensors(bytes)) return "safetensors";
  return undefined;
}

/**
 * Read PyTorch weights into a {@link StateDict}, whatever the file's format:
 * - `torch.save` zip archives (torch >= 1.6), any archive folder name, either byte order;
 * - legacy `torch.save` files (torch < 1.6, such as torchvision's original
 *   `resnext50_32x4d-7cdf4587.pth`);
 * - `.safetensors` (e.g. timm's copies on the Hugging Face Hub).
 *
 * Pickles are read by a safe virtual machine that, like `torch.load(weights_only=True)`,
 * only knows tensors, storages, `OrderedDict` and plain values; nothing in the file is
 * ever executed, and zip entry names are never used as paths. Tensors are copied out
 * contiguous (strides and storage offsets applied, shared storages supported),
 * float16/bfloat16 widened to Float32Array.
 *
 * Checkpoints that wrap the weights are unwrapped: if the top-level object is not a dict of
 * tensors, the first of `state_dict`, `model_state_dict`, `model`, `module`, `net`,
 * `network`, `params`, `weights` that holds one is used (up to 3 levels deep). When every
 * key starts with `module.` (saved from `nn.DataParallel`), that prefix is removed.
 *
 * @param pathOrBytes - A file path (Node) or the file's bytes (any environment).
 * @returns Tensor names to tensors, in the file's order.
 * @throws {UnsafePickleError} When a pickle names a global outside the allowlist.
 * @throws {UnsupportedFormatError} For unknown formats (names the first bytes) or
 *   unsupported dtypes.
 * @throws {CorruptWeightsError} For truncated or inconsistent files.
 * @example
 * const sd = await readStateDict("resnext50_32x4d-7cdf4587.pth");
 * console.log(sd.get("fc.weight")?.shape); // [1000, 2048]
 * model.loadStateDict(sd, { strict: false });
 */
export async function readStateDict(pathOrBytes: string | Uint8Array): Promise<StateDict> {
  const { bytes, source } = await loadWeightsSource(pathOrBytes);
  switch (detectWeightsFormat(bytes)) {
    case "torch-zip":
      return readTorchZip(bytes, source);
    case "torch-legacy":
      return readTorchLegacy(bytes, source);
    case "safetensors":
      return stripModulePrefix(decodeSafetensors(bytes, source));
    default:
      // A safetensors file cut short fails the sniffer's length check; its parser says what is wrong.
      if (startsLikeSafetensors(bytes)) return stripModulePrefix(decodeSafetensors(bytes, source));
      throw new UnsupportedFormatError({
        source,
        firstBytes: hexPrefix(bytes),
        detail:
          "not a PyTorch zip archive (starts with PK), a legacy torch.save pickle (starts with " +
          "80 02 8a 0a 6c fc 9c 46) nor safetensors (8-byte header length, then '{'). " +
          "Save the weights with torch.save(model.state_dict(), path) or safetensors.torch.save_file",
      });
  }
}
