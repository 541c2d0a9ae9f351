import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { handMadeZip } from "../test/hand-made-zip";
import { crc32 } from "./crc32";
import { openZipFile } from "./file-source";
import { bytesSource } from "./random-access-source";
import { looksLikeZip, ZipFormatError, ZipReader } from "./zip-reader";
import { writeZip } from "./zip-writer";

const fixtures = join(__dirname, "..", "fixtures");
const expected = JSON.parse(readFileSync(join(fixtures, "zips.json"), "utf8")) as {
  entries: { name: string; method: number; size: number; sha256: string }[];
};
const tmp = mkdtempSync(join(tmpdir(), "celeba-zip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const open = (bytes: Uint8Array) => ZipReader.open(bytesSource(bytes), { name: "t.zip" });

describe("crc32", () => {
  it("gives the standard CRC-32 check value and agrees with zlib's", async () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const { crc32: zlibCrc } = await import("node:zlib");
    const data = Uint8Array.from({ length: 10007 }, (_, i) => (i * 7919) % 256);
    expect(crc32(data)).toBe(zlibCrc(data));
  });
});

describe("ZipReader on zips written by CPython's zipfile", () => {
  for (const file of ["python.zip", "python-zip64.zip"]) {
    for (const where of ["file", "bytes"] as const) {
      it(`${file} from ${where === "file" ? "a file handle" : "memory"}: lists entries (directories omitted) and reads each by offset, CRC-checked`, async () => {
        const path = join(fixtures, file);
        const zip =
          where === "file"
            ? await openZipFile(path)
            : await ZipReader.open(bytesSource(readFileSync(path)), { name: file });
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

describe("writeZip + ZipReader", () => {
  const inputs = Array.from({ length: 40 }, (_, i) => ({
    name: `img_align_celeba/${String(i + 1).padStart(6, "0")}.jpg`,
    data: Uint8Array.from({ length: 100 + i * 37 }, (_, k) => (k * (i + 3)) % 251),
  }));

  for (const options of [{}, { store: true }, { zip64: true }]) {
    it(`round-trips ${JSON.stringify(options)} with concurrent random reads`, async () => {
      const path = join(tmp, `t-${JSON.stringify(options).replace(/\W/g, "")}.zip`);
      await writeZip(path, inputs, options);
      const zip = await openZipFile(path);
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
    const zip = await openZipFile(path);
    try {
      await expect(zip.read(zip.entries[0]!)).rejects.toThrow(/000001\.jpg: CRC mismatch/);
      await expect(zip.read(zip.entries[1]!)).resolves.toHaveLength(inputs[1]!.data.length);
    } finally {
      await zip.close();
    }
  });

  it("rejects a truncated zip (no end record) with an error naming the file", async () => {
    const path = join(tmp, "truncated.zip");
    await writeZip(path, inputs, {});
    writeFileSync(path, readFileSync(path).subarray(0, 2000));
    await expect(openZipFile(path)).rejects.toThrow(ZipFormatError);
    await expect(openZipFile(path)).rejects.toThrow(
      /truncated\.zip: no end-of-central-directory record/,
    );
  });
});

describe("ZipReader on hand-made archives", () => {
  const hello = new TextEncoder().encode("hello weights");

  it("reads a stored entry behind an archive comment, as a view of the bytes", async () => {
    const bytes = handMadeZip([{ name: "a/b.txt", body: hello }], "a comment");
    const zip = await open(bytes);
    expect(looksLikeZip(bytes)).toBe(true);
    expect(looksLikeZip(hello)).toBe(false);
    expect(zip.entries.map((e) => e.name)).toEqual(["a/b.txt"]);
    const data = await zip.read("a/b.txt");
    expect(new TextDecoder().decode(data)).toBe("hello weights");
    expect(data.buffer).toBe(bytes.buffer);
  });

  it("treats entry names as plain keys, even path-traversal ones", async () => {
    const zip = await open(handMadeZip([{ name: "../../etc/passwd", body: new Uint8Array([1]) }]));
    expect(await zip.read("../../etc/passwd")).toEqual(new Uint8Array([1]));
  });

  it("refuses unknown compression methods and missing entries, naming them", async () => {
    const zip = await open(handMadeZip([{ name: "x", body: new Uint8Array([1]), method: 12 }]));
    await expect(zip.read("x")).rejects.toThrow(/t\.zip!x: compression method 12/);
    await expect(zip.read("y")).rejects.toThrow(/t\.zip!y: no entry of this name/);
  });

  it("reports a missing end-of-central-directory record", async () => {
    await expect(open(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).rejects.toThrow(
      /t\.zip: no end-of-central-directory record/,
    );
  });

  it("hands every problem to toError, so each package throws its own error class", async () => {
    class MyError extends Error {}
    const seen: string[] = [];
    const zip = await ZipReader.open(
      bytesSource(handMadeZip([{ name: "x", body: hello, crc: 1 }])),
      {
        name: "m.pth",
        toError: (p, archive) => {
          seen.push(`${p.kind} ${archive} ${p.entry}`);
          return new MyError(p.detail);
        },
      },
    );
    await expect(zip.read("x")).rejects.toThrow(MyError);
    expect(seen).toEqual(["corrupt m.pth x"]);
  });

  it("rejects two entries with one name, naming both offsets", async () => {
    const body = new Uint8Array([1]);
    await expect(
      open(
        handMadeZip([
          { name: "a.jpg", body },
          { name: "a.jpg", body },
        ]),
      ),
    ).rejects.toThrow(/t\.zip!a\.jpg: two entries share this name \(at offsets 0 and 36\)/);
  });

  it("indexByBaseName rejects two entries with one base name, naming both (a planted ../000007.jpg)", async () => {
    const zip = await open(
      handMadeZip([
        { name: "../000007.jpg", body: new Uint8Array([6, 6, 6]) },
        { name: "img_align_celeba/000006.jpg", body: new Uint8Array([6]) },
        { name: "img_align_celeba/000007.jpg", body: new Uint8Array([7]) },
      ]),
    );
    expect(() => zip.indexByBaseName()).toThrow(
      /entries "\.\.\/000007\.jpg" and "img_align_celeba\/000007\.jpg" share the file name "000007\.jpg"/,
    );
    // Only the kept entries count.
    const index = zip.indexByBaseName((e) => e.name.startsWith("img_align_celeba/"));
    expect([...index.keys()]).toEqual(["000006.jpg", "000007.jpg"]);
  });

  it("refuses an entry declared above maxEntryBytes before reading it", async () => {
    const zip = await ZipReader.open(
      bytesSource(
        handMadeZip([
          { name: "big", body: deflateRawSync(Buffer.alloc(10)), method: 8, size: 1 << 30 },
        ]),
      ),
      { name: "t.zip", maxEntryBytes: 1 << 20 },
    );
    await expect(zip.read("big")).rejects.toThrow(
      /t\.zip!big: declares 1073741824 bytes uncompressed, above the limit of 1048576/,
    );
  });

  it("refuses sizes no real entry has before allocating for them", async () => {
    const bytes = handMadeZip([
      { name: "a", body: deflateRawSync(Buffer.alloc(100)), method: 8, size: 100 },
      { name: "b", body: new Uint8Array(10) },
    ]);
    const view = new DataView(bytes.buffer);
    const sig = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
    const first = Buffer.from(bytes).indexOf(sig);
    const second = Buffer.from(bytes).indexOf(sig, first + 4);
    view.setUint32(first + 20, 2 ** 31, true); // compressed size of "a": 2 GiB for 100 bytes
    view.setUint32(second + 20, 1 << 20, true); // "b": 1 MiB stored in a file of ~200 bytes
    view.setUint32(second + 24, 1 << 20, true);
    const zip = await open(bytes);
    await expect(zip.read("a")).rejects.toThrow(
      /t\.zip!a: declares 2147483648 compressed bytes, more than deflate makes of 100/,
    );
    await expect(zip.read("b")).rejects.toThrow(
      /t\.zip!b: the entry runs past the end of the file/,
    );
  });

  it("stops inflating at the first chunk past the declared size", async () => {
    const data = Buffer.alloc(4 << 20, 7);
    const zip = await open(
      handMadeZip([
        { name: "bomb", body: deflateRawSync(data), method: 8, size: 10_000, crc: crc32(data) },
        { name: "short", body: deflateRawSync(data.subarray(0, 100)), method: 8, size: 200 },
        { name: "junk", body: new Uint8Array([0xff, 0xff, 0xff]), method: 8, size: 3 },
      ]),
    );
    const error = await zip.read("bomb").catch((e: ZipFormatError) => e);
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as ZipFormatError).problem.kind).toBe("too-large");
    expect((error as Error).message).toMatch(
      /t\.zip!bomb: inflates past its declared size of 10000 bytes/,
    );
    await expect(zip.read("short")).rejects.toThrow(
      /short: size mismatch: 100 bytes where the central directory declares 200/,
    );
    await expect(zip.read("junk")).rejects.toThrow(/junk: the deflate stream is corrupt/);
  });

  it("keeps concurrent reads within maxConcurrentBytes", async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      name: `e${i}`,
      body: new Uint8Array(1000).fill(i),
    }));
    const inner = bytesSource(handMadeZip(entries));
    let inFlight = 0;
    let most = 0;
    const slow = {
      size: inner.size,
      read: async (position: number, length: number) => {
        inFlight += length;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight -= length;
        return inner.read(position, length);
      },
    };
    const zip = await ZipReader.open(slow, { name: "t.zip", maxConcurrentBytes: 2500 });
    most = 0;
    const got = await Promise.all(zip.entries.map((e) => zip.read(e)));
    expect(got.map((data) => data[0])).toEqual(zip.entries.map((_, i) => i));
    // Each read asks for its header, name, slack and data (about 1100 bytes): two fit at once.
    expect(most).toBeGreaterThan(1000);
    expect(most).toBeLessThanOrEqual(2500);
  });
});
