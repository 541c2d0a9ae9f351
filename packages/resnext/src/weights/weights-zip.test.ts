import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WEIGHTS_FIXTURES } from "../../test/weights-fixtures";
import { CorruptWeightsError, UnsupportedFormatError } from "../weights-errors";
import { openWeightsZip } from "./weights-zip";

// The zip format itself is tested once, in @celeba/internal; this checks how its problems
// reach users of this package.
const torchZip = () => new Uint8Array(readFileSync(join(WEIGHTS_FIXTURES, "sd.zip.pth")));

describe("openWeightsZip", () => {
  it("reports an unknown compression method as an unsupported format, naming the entry", async () => {
    const bytes = torchZip();
    const view = new DataView(bytes.buffer);
    // The first central-directory record's method field (offset 10), patched to 12 (bzip2).
    const central = Buffer.from(bytes).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    view.setUint16(central + 10, 12, true);
    const zip = await openWeightsZip(bytes, "m.pth");
    const first = zip.entries[0]!.name;
    const error = await zip.read(first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect((error as Error).message).toContain(
      `m.pth: zip entry "${first}": compression method 12`,
    );
  });

  it("reports a truncated archive and a missing entry as corrupt weights", async () => {
    const bytes = torchZip();
    await expect(openWeightsZip(bytes.subarray(0, 100), "m.pth")).rejects.toThrow(
      CorruptWeightsError,
    );
    const zip = await openWeightsZip(bytes, "m.pth");
    await expect(zip.read("y")).rejects.toThrow(
      /corrupt weights file m\.pth: zip: entry "y" is missing/,
    );
  });
});
