// The few WebAssembly JS API members used here: the shared tsconfig's lib (ES2022, no DOM)
// does not type them.
/** A WebAssembly.Memory, as far as the kernels use it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A booted module: its exported functions, its memory, and where its free heap starts. */
export interface WasmModule<Exports> {
  exports: Exports;
  memory: WasmMemory;
  /** The module's `__heap_base`: memory from here on is the caller's to use. */
  heapBase: number;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Compiles and instantiates a small, import-free WebAssembly module given as base64, which
 * exports `memory` and `__heap_base` (as clang's `wasm32` target does), synchronously.
 * Returns null where WebAssembly is missing or rejects the module (engines without SIMD fail
 * validation), so the caller can fall back to JavaScript. Browser-safe.
 *
 * @param base64 - The module's bytes, base64.
 * @returns The module, or null when it cannot run here.
 */
export function bootWasm<Exports>(base64: string): WasmModule<Exports> | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  try {
    const bytes = decodeBase64(base64);
    if (!wasm.validate(bytes)) return null;
    const e = new wasm.Instance(new wasm.Module(bytes), {}).exports as {
      memory?: WasmMemory;
      __heap_base?: { value: number };
    };
    if (e.memory === undefined || e.__heap_base === undefined) return null;
    return { exports: e as Exports, memory: e.memory, heapBase: e.__heap_base.value };
  } catch {
    return null;
  }
}

/**
 * {@link bootWasm} once, on first use: the returned function boots the module the first time
 * it is called and returns the same result (module or null) every time after.
 *
 * @param base64 - The module's bytes, base64.
 * @returns A function giving the booted module, or null when it cannot run here.
 */
export function lazyWasm<Exports>(base64: string): () => WasmModule<Exports> | null {
  let booted: WasmModule<Exports> | null | undefined;
  return () => {
    if (booted === undefined) booted = bootWasm<Exports>(base64);
    return booted;
  };
}

/**
 * Grows a module's memory to hold `end` bytes, refusing past `maxBytes`: wasm memory never
 * shrinks, so one huge input must not pin that much memory for the rest of the process.
 *
 * @param memory - The module's memory.
 * @param end - The highest byte offset needed, exclusive.
 * @param maxBytes - The most memory the module may ever have.
 * @returns False (and nothing grown) when `end` is above `maxBytes`.
 */
export function ensureWasmMemory(memory: WasmMemory, end: number, maxBytes: number): boolean {
  if (end > maxBytes) return false;
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  return true;
}
