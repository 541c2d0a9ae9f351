import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXPECTED, expectMatchesTorch, WEIGHTS_FIXTURES } from "../../test/weights-fixtures";
import { ResnextError } from "../errors";
import { CorruptWeightsError, UnsupportedFormatError } from "../weights-errors";
import { detectWeightsFormat, readStateDict } from "./read-state-dict";

const fixture = (name: string) => join(WEIGHTS_FIXTURES, name);
const bytesOf = (name: string) => new Uint8Array(readFileSync(fixture(name)));

// Every fixture holds the same tensors (see scripts/make-weight-fixtures.py): a transposed
// view, a sliced storage offset, stride-2 and stride-0 views, two views sharing one storage,
// float16/bfloat16/float64/int64/int32/int16/uint8/int8/bool, an empty and a scalar tensor
// and an nn.Parameter. expected.json holds torch 1.13's values; comparisons are exact.
describe("readStateDict matches PyTorch exactly", () => {
  it.each([
    ["zip format (torch.save, torch >= 1.6)", "sd.zip.pth"],
    ["legacy format (_use_new_zipfile_serialization=False)", "sd.legacy.pth"],
    ["zip format with byteorder=big and byte-swapped storages", "sd.big-endian.pth"],
    ["zip with deflated entries and archive folder 'weird_name'", "sd.deflate.pth"],
    ["zip format, pickle protocol 4", "sd.zip-proto4.pth"],
    ["legacy format, pickle protocol 4 (framed magic number)", "sd.legacy-proto4.pth"],
    ["safetensors", "sd.safetensors"],
  ])("%s", async (_label, file) => {
    expectMatchesTorch(await readStateDict(fixture(file)), EXPECTED.sd);
  });

  it("reads bytes as well as paths", async () => {
    expectMatchesTorch(await readStateDict(bytesOf("sd.legacy.pth")), EXPECTED.sd);
  });

  it("decodes float16/bfloat16 to Float32Array but keeps the source dtype name", async () => {
    const sd = await readStateDict(fixture("sd.zip.pth"));
    expect(sd.get("half")?.data).toBeInstanceOf(Float32Array);
    expect(sd.get("bf16")?.dtype).toBe("bfloat16");
    expect(sd.get("bn1.num_batches_tracked")?.data).toEqual(new BigInt64Array([123456789012345n]));
    expect(sd.get("scalar")?.shape).toEqual([]);
  });

  it("returns independent copies for views that share a storage", async () => {
    const sd = await readStateDict(fixture("sd.zip.pth"));
    const a = sd.get("shared.a")!.data as Float32Array;
    const b = sd.get("shared.b")!.data as Float32Array;
    expect(a[2]).toBe(b[0]);
    a[2] = 42;
    expect(b[0]).not.toBe(42);
  });
});

describe("checkpoints", () => {
  it.each(["checkpoint.pth", "checkpoint.legacy.pth"])(
    "%s: unwraps 'state_dict', strips DataParallel's 'module.', skips optimizer/epoch/bytes/bigints",
    async (file) => {
      expectMatchesTorch(await readStateDict(fixture(file)), EXPECTED.checkpoint);
    },
  );
});

describe("format detection and errors", () => {
  it("detects formats by content, not extension", () => {
    expect(detectWeightsFormat(bytesOf("sd.zip.pth"))).toBe("torch-zip");
    expect(detectWeightsFormat(bytesOf("sd.legacy.pth"))).toBe("torch-legacy");
    expect(detectWeightsFormat(bytesOf("sd.legacy-proto4.pth"))).toBe("torch-legacy");
    expect(detectWeightsFormat(bytesOf("sd.safetensors"))).toBe("safetensors");
    expect(
      detectWeightsFormat(new TextEncoder().encode("<html>not weights</html>")),
    ).toBeUndefined();
  });

  it("names the source and first bytes for an unknown format", async () => {
    const err = await readStateDict(new TextEncoder().encode("HDF\r\n\x1a\nkeras weights")).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    expect(err).toBeInstanceOf(ResnextError);
    expect((err as UnsupportedFormatError).message).toMatch(
      /unsupported weights format in <bytes> \(first bytes: 48 44 46 0d 0a 1a 0a 6b/,
    );
    expect((err as Error).message).toMatch(/torch\.save\(model\.state_dict\(\), path\)/);
  });

  it("refuses TorchScript archives with a hint", async () => {
    await expect(readStateDict(fixture("torchscript.pt"))).rejects.toThrow(
      /TorchScript archive \(torch\.jit\.save\)/,
    );
  });

  it("refuses a plain pickle without torch's magic number", async () => {
    await expect(readStateDict(bytesOf("evil-os-system.pkl"))).rejects.toThrow(
      UnsupportedFormatError,
    );
  });

  it("names the file path in errors", async () => {
    await expect(readStateDict(fixture("expected.json"))).rejects.toThrow(/expected\.json/);
  });

  it("reports a truncated zip archive as corrupt", async () => {
    const b = bytesOf("sd.zip.pth");
    await expect(readStateDict(b.subarray(0, b.length - 100))).rejects.toThrow(CorruptWeightsError);
  });

  it("detects a flipped byte in a storage by its CRC", async () => {
    const b = bytesOf("sd.zip.pth").slice();
    // conv1.weight's storage follows data.pkl; flip a byte in the middle of the archive.
    const at = new TextDecoder("latin1").decode(b).indexOf("sd.zip/data/0") + 200;
    b[at] = b[at]! ^ 0xff;
    await expect(readStateDict(b)).rejects.toThrow(/CRC mismatch in entry "sd\.zip\/data\/0"/);
  });

  it("reports a truncated legacy file as corrupt, naming the storage", async () => {
    const b = bytesOf("sd.legacy.pth");
    await expect(readStateDict(b.subarray(0, b.length - 10))).rejects.toThrow(
      /corrupt weights file <bytes>: storage \d+ at \d+/,
    );
  });

  it("reports a truncated pickle as corrupt with its offset", async () => {
    const b = bytesOf("sd.legacy.pth");
    await expect(readStateDict(b.subarray(0, 400))).rejects.toThrow(/pickle offset \d+: /);
  });
});
