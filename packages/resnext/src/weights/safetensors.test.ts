import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXPECTED, expectMatchesTorch, WEIGHTS_FIXTURES } from "../../test/weights-fixtures";
import {
  CorruptWeightsError,
  InvalidStateDictError,
  UnsupportedFormatError,
} from "../weights-errors";
import { readStateDict } from "./read-state-dict";
import { readSafetensors, readSafetensorsMetadata } from "./safetensors";
import { encodeSafetensors, writeSafetensors } from "./safetensors-write";
import type { StateDict } from "./state-dict";

const dir = mkdtempSync(join(tmpdir(), "resnext-safetensors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TS_FIXTURE = join(WEIGHTS_FIXTURES, "written-by-ts.safetensors");
const TS_METADATA = { writer: "@celeba/resnext", epoch: "3" };

function withHeader(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("writeSafetensors / readSafetensors", () => {
  it("round-trips every dtype bit for bit, in order, with metadata", async () => {
    const sd = await readStateDict(join(WEIGHTS_FIXTURES, "sd.zip.pth"));
    const path = join(dir, "round.safetensors");
    await writeSafetensors(path, sd, { epoch: "7", note: "ünïcode" });
    expectMatchesTorch(await readSafetensors(path), EXPECTED.sd);
    expect(await readSafetensorsMetadata(path)).toEqual({ epoch: "7", note: "ünïcode" });
  });

  // written-by-ts.safetensors was written by this writer and then checked by Python
  // (`make-weight-fixtures.py --verify-ts`: a spec-strict pure-Python reader + torch.equal
  // against the original tensors). Producing the same bytes today keeps that proof valid.
  it("produces exactly the bytes that Python verified (fixtures/weights/written-by-ts.safetensors)", async () => {
    const sd = await readStateDict(join(WEIGHTS_FIXTURES, "sd.legacy.pth"));
    const bytes = encodeSafetensors(sd, TS_METADATA);
    if (process.env.WRITE_WEIGHT_FIXTURES === "1") writeFileSync(TS_FIXTURE, bytes);
    expect(Buffer.from(bytes).equals(readFileSync(TS_FIXTURE))).toBe(true);
  });

  it("pads the header with spaces to a multiple of 8 and starts it with '{'", () => {
    const sd: StateDict = new Map([
      ["a", { dtype: "float32", shape: [1], data: new Float32Array([1]) }],
    ]);
    const b = encodeSafetensors(sd);
    const n = Number(new DataView(b.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(String.fromCharCode(b[8]!)).toBe("{");
    expect(new TextDecoder().decode(b.subarray(8, 8 + n))).toMatch(
      /^\{"a":\{"dtype":"F32","shape":\[1\],"data_offsets":\[0,4\]\}\} *$/,
    );
  });

  it("writes atomically: overwrites in place and leaves no temporary files", async () => {
    const path = join(dir, "atomic.safetensors");
    writeFileSync(path, "old contents");
    const sd: StateDict = new Map([
      ["x", { dtype: "int64", shape: [2], data: new BigInt64Array([1n, -2n]) }],
    ]);
    await writeSafetensors(path, sd);
    expect((await readSafetensors(path)).get("x")?.data).toEqual(new BigInt64Array([1n, -2n]));
    expect(readdirSync(dir).filter((f) => f.startsWith("atomic"))).toEqual(["atomic.safetensors"]);
  });

  it("leaves the old file untouched when validation fails", async () => {
    const path = join(dir, "keep.safetensors");
    writeFileSync(path, "keep me");
    const bad: StateDict = new Map([
      ["w", { dtype: "float32", shape: [3], data: new Float32Array(2) }],
    ]);
    await expect(writeSafetensors(path, bad)).rejects.toThrow(
      /invalid state dict entry "w": data has 2 elements but shape \[3\] needs 3/,
    );
    expect(readFileSync(path, "utf8")).toBe("keep me");
  });

  it("rejects non-string metadata and the reserved name", () => {
    const sd: StateDict = new Map();
    expect(() => encodeSafetensors(sd, { epoch: 3 as unknown as string })).toThrow(
      InvalidStateDictError,
    );
    const reserved: StateDict = new Map([
      ["__metadata__", { dtype: "uint8", shape: [0], data: new Uint8Array(0) }],
    ]);
    expect(() => encodeSafetensors(reserved)).toThrow(/reserved/);
  });

  it("converts data held in a wider array to the declared dtype", async () => {
    const sd: StateDict = new Map([
      ["h", { dtype: "float16", shape: [3], data: new Float32Array([1, 65504, 1 + 2 ** -11]) }],
      ["b", { dtype: "bfloat16", shape: [1], data: new Float32Array([1 + 2 ** -8]) }],
      ["i", { dtype: "int64", shape: [1], data: new Float32Array([7]) }],
    ]);
    const back = await readSafetensors(encodeSafetensors(sd));
    // 1 + 2^-11 and 1 + 2^-8 are ties in their formats and round to even (1).
    expect(back.get("h")?.data).toEqual(new Float32Array([1, 65504, 1]));
    expect(back.get("b")?.data).toEqual(new Float32Array([1]));
    expect(back.get("i")?.data).toEqual(new BigInt64Array([7n]));
  });

  it("reads metadata from bytes and returns {} when there is none", async () => {
    expect(
      await readSafetensorsMetadata(readFileSync(join(WEIGHTS_FIXTURES, "sd.safetensors"))),
    ).toEqual({
      format: "pt",
      source: "make-weight-fixtures.py",
    });
    expect(await readSafetensorsMetadata(encodeSafetensors(new Map()))).toEqual({});
  });
});

describe("safetensors errors", () => {
  it("refuses dtypes a StateTensor cannot hold, listing the supported ones", async () => {
    const b = withHeader(
      { x: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } },
      new Uint8Array(1),
    );
    await expect(readSafetensors(b)).rejects.toThrow(UnsupportedFormatError);
    await expect(readSafetensors(b)).rejects.toThrow(/"F8_E4M3"; supported: F32, F16, BF16/);
  });

  it("refuses offsets that do not match the shape or run past the data", async () => {
    const short = withHeader(
      { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } },
      new Uint8Array(4),
    );
    await expect(readSafetensors(short)).rejects.toThrow(CorruptWeightsError);
    const mismatch = withHeader(
      { x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } },
      new Uint8Array(8),
    );
    await expect(readSafetensors(mismatch)).rejects.toThrow(
      /data_offsets \[0, 8\] do not hold 12 bytes/,
    );
  });

  it("reports a header length beyond the file and invalid JSON", async () => {
    const b = withHeader({});
    new DataView(b.buffer).setBigUint64(0, 1000n, true);
    await expect(readSafetensors(b)).rejects.toThrow(/header length 1000 exceeds the file/);
    const path = join(dir, "bad-header.safetensors");
    writeFileSync(path, b);
    await expect(readSafetensorsMetadata(path)).rejects.toThrow(
      /bad-header\.safetensors.*does not fit/,
    );
    const garbage = withHeader({});
    garbage[9] = 0x7b; // "{{" is not JSON
    await expect(readSafetensors(garbage)).rejects.toThrow(/not valid UTF-8 JSON/);
  });

  it("does not leave stray files when the destination folder is missing", async () => {
    const path = join(dir, "missing", "x.safetensors");
    await expect(writeSafetensors(path, new Map())).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
