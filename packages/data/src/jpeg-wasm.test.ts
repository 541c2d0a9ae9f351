import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { decodeImage } from "./decode-image";
import { decodeJpegWasm, setJpegWasmEnabled } from "./jpeg-wasm";
import { JPEG_WASM_SOURCE_SHA256 } from "./jpeg-wasm-binary";

interface Case {
  name: string;
  jpegBase64: string;
  width: number;
  height: number;
  rgbBase64: string;
  fastPath: boolean;
  sharpMatchesPil: boolean;
}

const root = join(__dirname, "..");
const { cases } = JSON.parse(
  readFileSync(join(root, "fixtures", "jpeg-variants.json"), "utf8"),
) as { cases: Case[] };

function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

afterEach(() => setJpegWasmEnabled(true));

describe("decodeJpegWasm vs Pillow 9.4 (libjpeg-turbo)", () => {
  it("has at least 40 fixture cases, some of each kind", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => !c.fastPath).length).toBeGreaterThanOrEqual(4);
  });

  for (const c of cases) {
    if (c.fastPath) {
      it(`${c.name}: bit-exact with PIL's decode`, () => {
        const img = decodeJpegWasm(Buffer.from(c.jpegBase64, "base64"));
        expect(img, "the fast path should take this file").toBeDefined();
        expect([img!.width, img!.height, img!.channels]).toEqual([c.width, c.height, 3]);
        const want = Buffer.from(c.rgbBase64, "base64");
        expect(img!.data.length).toBe(want.length);
        expect(maxAbsDiff(img!.data, want)).toBe(0);
      });
    } else {
      it(`${c.name}: left to sharp${c.sharpMatchesPil ? ", which matches PIL" : ""}`, async () => {
        const bytes = Buffer.from(c.jpegBase64, "base64");
        expect(decodeJpegWasm(bytes)).toBeUndefined();
        if (!c.sharpMatchesPil) return;
        const img = await decodeImage(bytes);
        expect([img.width, img.height]).toEqual([c.width, c.height]);
        expect(maxAbsDiff(img.data, Buffer.from(c.rgbBase64, "base64"))).toBe(0);
      });
    }
  }
});

describe("decodeJpegWasm vs sharp", () => {
  it("decodes 24 sharp-encoded 178x218 photos (4:2:0, 4:4:4, several qualities) to sharp's exact pixels", async () => {
    let checked = 0;
    for (let i = 0; i < 24; i++) {
      const w = 178;
      const h = 218;
      const raw = new Uint8Array(w * h * 3);
      // A smooth field plus hashed noise: both the flat-block shortcuts and busy blocks occur.
      for (let p = 0; p < w * h; p++) {
        const x = p % w;
        const y = Math.floor(p / w);
        const noise = (Math.imul(p + i * 7919, 2654435761) >>> 24) & 63;
        raw[3 * p] = (128 + 100 * Math.sin((x + i) / 9)) & 255;
        raw[3 * p + 1] = (y + noise) & 255;
        raw[3 * p + 2] = ((x * y) >> 6) & 255;
      }
      const jpeg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
        .jpeg({ quality: 40 + (i % 6) * 11, chromaSubsampling: i % 2 ? "4:4:4" : "4:2:0" })
        .toBuffer();
      setJpegWasmEnabled(false);
      const ref = await decodeImage(jpeg);
      setJpegWasmEnabled(true);
      const ours = decodeJpegWasm(jpeg);
      expect(ours).toBeDefined();
      expect(maxAbsDiff(ours!.data, ref.data)).toBe(0);
      checked++;
    }
    expect(checked).toBe(24);
  });

  it("hands truncated, corrupt and non-JPEG data to sharp", () => {
    const bytes = Buffer.from(cases.find((c) => c.name === "420-47x40-q85")!.jpegBase64, "base64");
    expect(decodeJpegWasm(bytes)).toBeDefined();
    for (const cut of [0.3, 0.6, 0.9, 0.99]) {
      expect(decodeJpegWasm(bytes.subarray(0, Math.floor(bytes.length * cut)))).toBeUndefined();
    }
    // Garbage after the end-of-image marker, and a flipped byte inside the entropy-coded data.
    expect(decodeJpegWasm(Buffer.concat([bytes, Buffer.from([1, 2, 3])]))).toBeUndefined();
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    expect(decodeJpegWasm(png)).toBeUndefined();
    expect(decodeJpegWasm(Buffer.from("not an image"))).toBeUndefined();
  });

  it("never returns pixels sharp would not: 1500 damaged files decode exactly like sharp or are handed over", async () => {
    // Up to 4 random bytes overwritten anywhere (markers, tables, entropy-coded data) in random fixtures.
    let state = 1;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const fast = cases.filter((c) => c.fastPath);
    let taken = 0;
    for (let i = 0; i < 1500; i++) {
      const c = fast[Math.floor(random() * fast.length)]!;
      const damaged = Buffer.from(c.jpegBase64, "base64");
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      }
      const ours = decodeJpegWasm(damaged);
      if (ours === undefined) continue;
      taken++;
      setJpegWasmEnabled(false);
      const ref = await decodeImage(damaged).catch((error: Error) => error);
      setJpegWasmEnabled(true);
      if (ref instanceof Error)
        throw new Error(`${c.name}, edit ${i}: sharp rejects a file we decoded: ${ref.message}`);
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      expect(maxAbsDiff(ours.data, ref.data), `${c.name}, edit ${i}`).toBe(0);
    }
    // Many edits leave a file that still parses (a different valid stream); both sides must agree on those.
    expect(taken).toBeGreaterThan(200);
  });

  it("was built from the committed wasm/jpeg-decode.c (run node scripts/build-wasm.mjs after editing it)", () => {
    const source = readFileSync(join(root, "wasm", "jpeg-decode.c"));
    expect(createHash("sha256").update(source).digest("hex")).toBe(JPEG_WASM_SOURCE_SHA256);
  });
});
