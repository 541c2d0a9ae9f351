/**
 * The WebAssembly fast path of `decodeImage` for plain baseline JPEGs (wasm/jpeg-decode.c): bit-identical
 * to libjpeg-turbo's decode, which Pillow and sharp both use, and free of sharp's per-call overhead (about
 * 1.7 ms of CPU for a 178x218 CelebA image, most of it outside the decoder itself). Internal.
 */
import type { RawImage } from "@celeba/augment";
import { JPEG_WASM_BASE64 } from "./jpeg-wasm-binary";

// The few WebAssembly JS API members used here: the shared tsconfig's lib (ES2022, no DOM) does not type them.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface Kernels {
  memory: WasmMemory;
  heapBase: number;
  jpeg_header(data: number, length: number): number;
  jpeg_info(): number;
  jpeg_decode(data: number, length: number, work: number, out: number): number;
}

// undefined: not tried yet; null: no WebAssembly SIMD here, so sharp decodes everything.
let kernels: Kernels | null | undefined;
let enabled = true;

function loadKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return kernels;
  try {
    const binary = atob(JPEG_WASM_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (!wasm.validate(bytes)) return kernels;
    const exports = new wasm.Instance(new wasm.Module(bytes), {}).exports as unknown as Omit<
      Kernels,
      "heapBase"
    > & { __heap_base: { value: number } };
    kernels = {
      memory: exports.memory,
      heapBase: exports.__heap_base.value,
      jpeg_header: exports.jpeg_header,
      jpeg_info: exports.jpeg_info,
      jpeg_decode: exports.jpeg_decode,
    };
  } catch {
    kernels = null;
  }
  return kernels;
}

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
  const k = loadKernels();
  if (k === null) return undefined;
  const dataPtr = (k.heapBase + 15) & ~15;
  try {
    if (!ensureMemory(k, dataPtr + bytes.length)) return undefined;
    new Uint8Array(k.memory.buffer, dataPtr, bytes.length).set(bytes);
    if (k.jpeg_header(dataPtr, bytes.length) !== 0) return undefined;
    const info = new Int32Array(k.memory.buffer, k.jpeg_info(), 4);
    const [width, height, , workBytes] = info as unknown as [number, number, number, number];
    const workPtr = (dataPtr + bytes.length + 15) & ~15;
    const outPtr = (workPtr + workBytes + 15) & ~15;
    const outBytes = width * height * 3;
    if (!ensureMemory(k, outPtr + outBytes)) return undefined;
    if (k.jpeg_decode(dataPtr, bytes.length, workPtr, outPtr) !== 0) return undefined;
    return {
      data: new Uint8Array(k.memory.buffer, outPtr, outBytes).slice(),
      width,
      height,
      channels: 3,
    };
  } catch {
    // A trap or a failed memory.grow must not change what the caller sees: sharp decodes (or rejects) it.
    return undefined;
  }
}

// wasm memory never shrinks, so larger images (above about 12 megapixels) go to sharp instead, which streams
// them: this bounds what a thread keeps after one big image.
const MAX_MEMORY_BYTES = 64 << 20;

function ensureMemory(k: Kernels, end: number): boolean {
  if (end > MAX_MEMORY_BYTES) return false;
  const missing = end - k.memory.buffer.byteLength;
  if (missing > 0) k.memory.grow(Math.ceil(missing / 65536));
  return true;
}
