import { describe, expect, it } from "vitest";
import { bootWasm, ensureWasmMemory, lazyWasm } from "./wasm-boot";

// A hand-assembled module: add(a, b) = a + b, one page of memory, __heap_base = 1024. Checked
// against the WebAssembly binary format spec, section by section.
const ADD_MODULE = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
  ...[0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f], // type: (i32, i32) -> i32
  ...[0x03, 0x02, 0x01, 0x00], // function 0 has type 0
  ...[0x05, 0x03, 0x01, 0x00, 0x01], // memory: min 1 page
  ...[0x06, 0x07, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x08, 0x0b], // global i32 const 1024
  ...[0x07, 0x1e, 0x03], // exports:
  ...[0x03, 0x61, 0x64, 0x64, 0x00, 0x00], // "add" func 0
  ...[0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00], // "memory" memory 0
  ...[0x0b, ...new TextEncoder().encode("__heap_base"), 0x03, 0x00], // "__heap_base" global 0
  ...[0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b], // code: a + b
]);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("bootWasm", () => {
  it("boots a module and exposes its exports, memory and heap base", () => {
    const m = bootWasm<{ add(a: number, b: number): number }>(base64(ADD_MODULE));
    expect(m).not.toBeNull();
    expect(m!.exports.add(2, 40)).toBe(42);
    expect(m!.heapBase).toBe(1024);
    expect(m!.memory.buffer.byteLength).toBe(65536);
  });

  it("returns null for a module the engine rejects, or one without memory and heap base", () => {
    const broken = ADD_MODULE.slice();
    broken[broken.length - 2] = 0xff; // an invalid opcode fails validation, as SIMD does on old engines
    expect(bootWasm(base64(broken))).toBeNull();
    expect(bootWasm(base64(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])))).toBeNull();
  });

  it("lazyWasm boots once and returns the same module every time", () => {
    const get = lazyWasm<{ add(a: number, b: number): number }>(base64(ADD_MODULE));
    expect(get()).toBe(get());
  });
});

describe("ensureWasmMemory", () => {
  it("grows to hold the end offset in whole pages, and refuses past the cap", () => {
    const m = bootWasm(base64(ADD_MODULE))!;
    expect(ensureWasmMemory(m.memory, 65536 * 3 + 1, 1 << 20)).toBe(true);
    expect(m.memory.buffer.byteLength).toBe(65536 * 4);
    expect(ensureWasmMemory(m.memory, 100, 1 << 20)).toBe(true);
    expect(m.memory.buffer.byteLength).toBe(65536 * 4);
    expect(ensureWasmMemory(m.memory, (1 << 20) + 1, 1 << 20)).toBe(false);
    expect(m.memory.buffer.byteLength).toBe(65536 * 4);
  });
});
