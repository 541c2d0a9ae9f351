/**
 * The WebAssembly fast path of `decodeImage` for plain baseline JPEGs (wasm/jpeg-decode.c): bit-identical
 * to libjpeg-turbo's decode, which Pillow and sharp both use, and free of sharp's per-call overhead (about
 * 1.7 ms of CPU for a 178x218 CelebA image, most of it outside the decoder itself). Internal.
 */
import type { RawImage } from "@celeba/augment";
import { ensureWasmMemory, lazyWasm } from "@celeba/internal";
import { JPEG_WASM_BASE64 } from "./jpeg-wasm-binary";

interface JpegExports {
  jpeg_header(data: number, length: number): number;
  jpeg_info(): number;
  jpeg_decode(data: number, length: number, work: number, out: number): number;
}

// wasm memory never shrinks, so larger images (above about 12 megapixels) go to sharp instead, which streams
// them: this bounds what a thread keeps after one big image.
const MAX_MEMORY_BYTES = 64 << 20;

// null: no WebAssembly SIMD here, so sharp decodes everything.
const loadKernels = lazyWasm<JpegExports>(JPEG_WASM_BASE64);
let enabled = true;

/** Turns the wasm fast path on (the default) or off, so that sharp decodes every image. For tests and benchmarks. */
export function setJpegWasmEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Decodes `bytes` to RGB when it is a JPEG the wasm decoder takes (see wasm/jpeg-decode.c); returns undefined
 * for anything else (other formats, progressive or CMYK JPEGs, ICC profiles, damaged files), and the caller
 * then decodes with sharp, which also produces the error messages.
 */
export function decodeJpegWasm(bytes: Uint8Array): RawImage | undefined {
  if (!enabled || bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const wasm = loadKernels();
  if (wasm === null) return undefined;
  const k = wasm.exports;
  const memory = wasm.memory;
  const dataPtr = (wasm.heapBase + 15) & ~15;
  try {
    if (!ensureWasmMemory(memory, dataPtr + bytes.length, MAX_MEMORY_BYTES)) return undefined;
    new Uint8Array(memory.buffer, dataPtr, bytes.length).set(bytes);
    if (k.jpeg_header(dataPtr, bytes.length) !== 0) return undefined;
    const info = new Int32Array(memory.buffer, k.jpeg_info(), 4);
    const [width, height, , workBytes] = info as unknown as [number, number, number, number];
    const workPtr = (dataPtr + bytes.length + 15) & ~15;
    const outPtr = (workPtr + workBytes + 15) & ~15;
    const outBytes = width * height * 3;
    if (!ensureWasmMemory(memory, outPtr + outBytes, MAX_MEMORY_BYTES)) return undefined;
    if (k.jpeg_decode(dataPtr, bytes.length, workPtr, outPtr) !== 0) return undefined;
    return {
      data: new Uint8Array(memory.buffer, outPtr, outBytes).slice(),
      width,
      height,
      channels: 3,
    };
  } catch {
    // A trap or a failed memory.grow must not change what the caller sees: sharp decodes (or rejects) it.
    return undefined;
  }
}
