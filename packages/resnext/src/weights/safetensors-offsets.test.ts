import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WEIGHTS_FIXTURES } from "../../test/weights-fixtures";
import { CorruptWeightsError } from "../weights-errors";
import { readStateDict } from "./read-state-dict";
import { readSafetensors } from "./safetensors";

function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (offsets: [number, number]) => ({ dtype: "F32", shape: [1], data_offsets: offsets });

// The format's reference reader (safetensors' Rust `Metadata::validate`) sorts tensors by offset
// and requires each to start where the previous one ended, and the last to end at the buffer's
// end: overlaps, holes and trailing bytes are errors (InvalidOffset / MetadataIncompleteBuffer).
describe("safetensors data_offsets, as the format's reference reader validates them", () => {
  it("accepts tensors that tile the data section, in any key order", async () => {
    const sd = await readSafetensors(
      withHeader({ b: f32([4, 8]), a: f32([0, 4]) }, new Uint8Array(8)),
    );
    expect([...sd.keys()]).toEqual(["a", "b"]);
  });

  it("rejects overlapping tensors, which would alias one another's bytes", async () => {
    const bytes = withHeader(
      { a: f32([0, 4]), b: { dtype: "F32", shape: [2], data_offsets: [0, 8] } },
      new Uint8Array(8),
    );
    await expect(readSafetensors(bytes)).rejects.toThrow(CorruptWeightsError);
    await expect(readSafetensors(bytes)).rejects.toThrow(/overlap those of "a"|overlap/);
  });

  it("rejects a hole between tensors", async () => {
    const bytes = withHeader({ a: f32([0, 4]), b: f32([8, 12]) }, new Uint8Array(12));
    await expect(readSafetensors(bytes)).rejects.toThrow(
      /bytes 4 to 8 of the data section belong to no tensor \(a hole before "b"\)/,
    );
  });

  it("rejects a hole at the start and bytes after the last tensor", async () => {
    await expect(
      readSafetensors(withHeader({ a: f32([4, 8]) }, new Uint8Array(8))),
    ).rejects.toThrow(/bytes 0 to 4 .* belong to no tensor/);
    await expect(
      readSafetensors(withHeader({ a: f32([0, 4]) }, new Uint8Array(12))),
    ).rejects.toThrow(/end at byte 4 of the 12-byte data section/);
  });

  it("rejects offsets that run backwards", async () => {
    await expect(
      readSafetensors(withHeader({ a: f32([4, 0]) }, new Uint8Array(4))),
    ).rejects.toThrow(CorruptWeightsError);
  });
});

describe("readStateDict on a truncated safetensors file", () => {
  it("reports the truncation, as the safetensors parser diagnoses it, not an unknown format", async () => {
    const full = readFileSync(join(WEIGHTS_FIXTURES, "sd.safetensors"));
    for (const keep of [40, Math.floor(full.length / 2)]) {
      const cut = new Uint8Array(full.subarray(0, keep));
      const error = await readStateDict(cut).catch((e) => e);
      expect(error).toBeInstanceOf(CorruptWeightsError);
      expect(error.message).toMatch(
        /safetensors: (header length \d+ exceeds the file|tensor .* data_offsets)/,
      );
    }
  });
});
