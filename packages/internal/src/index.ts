/**
 * Plumbing shared by the `@celeba/*` packages, bundled into each of them at build time (this
 * package is private and never published). This entry is browser-safe; `@celeba/internal/node`
 * adds what needs Node's file system.
 */

export { assertOneOf } from "./assert-one-of";
export { assertOptionKeys } from "./assert-option-keys";
export { InflateError, inflateRawBounded } from "./bounded-inflate";
export { ByteBudget } from "./byte-budget";
export { CelebaError, errorMarker } from "./celeba-error";
export { concatChunks } from "./concat-chunks";
export { crc32 } from "./crc32";
export { type CelebaErrorClass, type ErrorClassWith, errorClass } from "./error-class";
export { formatValue } from "./format-value";
export {
  type InvalidOptionErrorClass,
  type InvalidOptionFields,
  type InvalidOptionInit,
  invalidOptionErrorClass,
  invalidOptionMessage,
  validChoicesSentence,
} from "./invalid-option-error";
export { bytesSource, type RandomAccessSource } from "./random-access-source";
export {
  bootWasm,
  ensureWasmMemory,
  lazyWasm,
  type WasmMemory,
  type WasmModule,
} from "./wasm-boot";
export {
  looksLikeZip,
  type ZipEntry,
  ZipFormatError,
  type ZipProblem,
  ZipReader,
  type ZipReaderOptions,
} from "./zip-reader";
