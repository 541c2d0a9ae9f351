import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ZipError } from "./errors";
import { openZip } from "./zip-reader";
import { writeZip } from "./zip-writer";

const fixtures = join(__dirname, "..", "fixtures");
const expected = JSON.parse(readFileSync(join(fixtures, "zips.json"), "utf8")) as {
  entries: { name: string; method: number; size: number; sha256: string }[];
};
const tmp = mkdtempSync(join(tmpdir(), "celeba-zip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("openZip on zips written by CPython's zipfile", () => {
  for (const file of ["python.zip", "python-zip64.zip"]) {
    it(`${file}: lists entries (directories omitted) and reads each by offset, CRC-checked`, async () => {
      const zip = await openZip(join(fixtures, file));
      try {
        expect(zip.entries.map((e) => e.name)).toEqual(expected.entries.map((e) => e.name));
        // Read out of order to exercise random access.
        for (const i of [2, 0, 1]) {
          const entry = zip.entries[i]!;
          const want = expected.entries[i]!;
          expect(entry.method).toBe(want.method);
          const data = await zip.read(entry);
          expect(data.length).toBe(want.size);
          expect(sha(data)).toBe(want.sha256);
        }
      } finally {
        await zip.close();
      }
    });
  }

  it("python-zip64.zip really uses zip64 records (so the test above covers that path)", () => {
    const raw = readFileSync(join(fixtures, "python-zip64.zip"));
    expect(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    expect(raw.readUInt32LE(raw.length - 22 - 20)).toBe(0x07064b50); // zip64 locator before the EOCD
    // Central entries carry saturated classic sizes, so their zip64 extra fields are what the reader uses.
    const sig = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
    const central = raw.indexOf(sig, raw.indexOf(sig) + 4); // the first file entry after the directory
    expect(raw.readUInt32LE(central + 20)).toBe(0xffffffff);
  });
});

describe("writeZip + openZip", () => {
  const inputs = Array.from({ length: 40 }, (_, i) => ({
    name: `img_align_celeba/${String(i + 1).padStart(6, "0")}.jpg`,
    data: Uint8Array.from({ length: 100 + i * 37 }, (_, k) => (k * (i + 3)) % 251),
  }));

  for (const options of [{}, { store: true }, { zip64: true }]) {
    it(`round-trips ${JSON.stringify(options)} with concurrent random reads`, async () => {
      const path = join(tmp, `t-${JSON.stringify(options).replace(/\W/g, "")}.zip`);
      await writeZip(path, inputs, options);
      const zip = await openZip(path);
      try {
        const order = [...inputs.keys()].reverse();
        const got = await Promise.all(order.map((i) => zip.read(zip.entries[i]!)));
        order.forEach((i, k) => {
          expect(Buffer.from(got[k]!).equals(Buffer.from(inputs[i]!.data))).toBe(true);
        });
      } finally {
        await zip.close();
      }
    });
  }

  it("detects a corrupted entry by its CRC and names it", async () => {
    const path = join(tmp, "corrupt.zip");
    await writeZip(path, inputs.slice(0, 2), { store: true });
    const raw = readFileSync(path);
    raw[30 + inputs[0]!.name.length + 5]! ^= 0xff;
    writeFileSync(path, raw);
    const zip = await openZip(path);
    try {
      await expect(zip.read(zip.entries[0]!)).rejects.toThrow(
        /000001\.jpg: the entry's size or CRC-32 does not match/,
      );
      await expect(zip.read(zip.entries[1]!)).resolves.toHaveLength(inputs[1]!.data.length);
    } finally {
      await zip.close();
    }
  });

  it("rejects a truncated zip (no end record) with a ZipError naming the file", async () => {
    const path = join(tmp, "truncated.zip");
    await writeZip(path, inputs, {});
    writeFileSync(path, readFileSync(path).subarray(0, 2000));
    await expect(openZip(path)).rejects.toThrow(ZipError);
    await expect(openZip(path)).rejects.toThrow(
      /truncated\.zip: no end-of-central-directory record/,
    );
  });
});
