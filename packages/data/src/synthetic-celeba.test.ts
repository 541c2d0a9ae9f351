import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CELEBA_ATTRIBUTE_NAMES, CELEBA_ATTRIBUTE_STATS } from "./celeba-attributes";
import { formatAttributeFile } from "./format-attribute-file";
import { parseAttributes } from "./parse-attributes";
import { parsePartition } from "./parse-partition";
import { makeSyntheticCelebA } from "./synthetic-celeba";

const tmp = mkdtempSync(join(tmpdir(), "celeba-synth-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const realHead = readFileSync(
  join(__dirname, "..", "fixtures", "list_attr_celeba.head.txt"),
  "utf8",
).split("\n");

describe("makeSyntheticCelebA", () => {
  it("writes list_attr_celeba.txt in the exact CelebA layout (header and rows byte for byte)", async () => {
    const synth = await makeSyntheticCelebA(join(tmp, "a"), { count: 12, seed: 1 });
    const lines = readFileSync(join(synth.root, "list_attr_celeba.txt"), "utf8").split("\n");
    expect(lines[0]).toBe("12");
    expect(lines[1]).toBe(realHead[1]); // names, single spaces, CelebA's trailing space
    expect(lines[2]).toMatch(/^000001\.jpg( -1| {2}1){40}$/);
    // The row formatter reproduces the real rows byte for byte from their labels.
    const real = parseAttributes(realHead.slice(1).join("\n"), "head");
    const labels = new Int8Array(3 * 40);
    real.rows.forEach((r, i) => {
      labels.set(r.labels, i * 40);
    });
    const formatted = formatAttributeFile(
      CELEBA_ATTRIBUTE_NAMES,
      real.rows.map((r) => r.id),
      labels,
    ).split("\n");
    expect(formatted.slice(1, 5)).toEqual(realHead.slice(1, 5));
    const partition = readFileSync(join(synth.root, "list_eval_partition.txt"), "utf8");
    expect(partition.split("\n")[0]).toBe("000001.jpg 0");
  });

  it("is deterministic given the seed, and the seed matters", async () => {
    const a = await makeSyntheticCelebA(join(tmp, "d1"), { count: 6, seed: 4 });
    const b = await makeSyntheticCelebA(join(tmp, "d2"), { count: 6, seed: 4 });
    const c = await makeSyntheticCelebA(join(tmp, "d3"), { count: 6, seed: 5 });
    for (const f of ["list_attr_celeba.txt", "img_align_celeba/000003.jpg"]) {
      expect(readFileSync(join(a.root, f)).equals(readFileSync(join(b.root, f)))).toBe(true);
      expect(readFileSync(join(a.root, f)).equals(readFileSync(join(c.root, f)))).toBe(false);
    }
  });

  it("has CelebA's positive rates, Male correlations and official partition proportions", async () => {
    // Labels only depend on the seed, so a larger count is cheap to check here via the returned labels.
    const synth = await makeSyntheticCelebA(join(tmp, "rates"), {
      count: 1500,
      seed: 9,
      width: 16,
      height: 20,
    });
    const m = 40;
    const col = (name: string) => CELEBA_ATTRIBUTE_NAMES.indexOf(name);
    const rate = (j: number, where: (i: number) => boolean = () => true) => {
      let pos = 0;
      let n = 0;
      for (let i = 0; i < 1500; i++) {
        if (!where(i)) continue;
        n++;
        if (synth.labels[i * m + j] === 1) pos++;
      }
      return pos / n;
    };
    for (const name of ["Male", "Young", "Attractive", "No_Beard", "Smiling", "Bald"]) {
      expect(Math.abs(rate(col(name)) - CELEBA_ATTRIBUTE_STATS[name]!.rate)).toBeLessThan(0.04);
    }
    const male = (i: number) => synth.labels[i * m + col("Male")] === 1;
    const female = (i: number) => !male(i);
    expect(rate(col("No_Beard"), female)).toBeGreaterThan(0.99);
    expect(rate(col("Wearing_Lipstick"), male)).toBeLessThan(0.05);
    expect(rate(col("Goatee"), female)).toBeLessThan(0.01);
    const parts = parsePartition(
      readFileSync(join(synth.root, "list_eval_partition.txt"), "utf8"),
      "p",
    );
    const counts = [0, 0, 0];
    for (const p of parts.values()) counts[p]!++;
    expect(counts).toEqual([1205, 147, 148]); // 162770 / 19867 / 19962 of 202599, scaled
  });

  it("writes images in a zip with the real archive's entry names", async () => {
    const synth = await makeSyntheticCelebA(join(tmp, "z"), { count: 3, seed: 1, format: "zip" });
    const raw = readFileSync(join(synth.root, "img_align_celeba.zip"));
    expect(raw.includes(Buffer.from("img_align_celeba/000003.jpg"))).toBe(true);
  });
});
