/**
 * Plumbing shared by the `@celeba/*` packages, bundled into each of them at build time (this
 * package is private and never published). This entry is browser-safe; `@celeba/internal/node`
 * adds what needs Node's file system.
 */

export { InflateError, inflateRawBounded } from "./bounded-inflate";
export { ByteBudget } from "./byte-budget";
export {
  assignInvalidOption,
  CelebaError,
  errorMarker,
  type InvalidOptionInit,
  invalidOptionMessage,
} from "./celeba-error";
export { crc32 } from "./crc32";
export { formatValue } from "./format-value";
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
