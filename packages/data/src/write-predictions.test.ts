import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidOptionError } from "./errors";
import { parseAttributesCsv } from "./parse-attributes";
import { writePredictions } from "./write-predictions";

const tmp = mkdtempSync(join(tmpdir(), "celeba-pred-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("writePredictions", () => {
  it("writes image_id,<names> with ±1 by threshold 0 (score >= 0 => 1) and round-trips through the CSV parser", async () => {
    const path = join(tmp, "pred.csv");
    const scores = new Float32Array([0.3, -0.2, 0, -1e-7, 2, -3]);
    await writePredictions(path, ["a.jpg", "b.jpg", "c.jpg"], ["Smiling", "Male"], scores);
    expect(readFileSync(path, "utf8")).toBe(
      "image_id,Smiling,Male\na.jpg,1,-1\nb.jpg,1,-1\nc.jpg,1,-1\n",
    );
    const table = await parseAttributesCsv(readFileSync(path, "utf8"), "pred.csv");
    expect(table.attributeNames).toEqual(["Smiling", "Male"]);
    expect(table.rows.map((r) => [r.id, ...r.labels])).toEqual([
      ["a.jpg", 1, -1],
      ["b.jpg", 1, -1],
      ["c.jpg", 1, -1],
    ]);
    expect(readdirSync(tmp)).toEqual(["pred.csv"]); // the temp file was renamed away
  });

  it("raw mode writes float32 scores that parse back exactly; number[][] and a custom threshold work", async () => {
    const path = join(tmp, "raw.csv");
    const scores = new Float32Array([0.1, -0.25, 1 / 3, 123.456]);
    await writePredictions(path, ["x.jpg", "y.jpg"], ["A", "B"], scores, { raw: true });
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines[1]).toBe("x.jpg,0.1,-0.25");
    const back = lines.slice(1).flatMap((l) => l.split(",").slice(1).map(Number));
    expect(Float32Array.from(back)).toEqual(scores);
    await writePredictions(path, ["x.jpg"], ["A", "B"], [[0.4, 0.6]], { threshold: 0.5 });
    expect(readFileSync(path, "utf8")).toBe("image_id,A,B\nx.jpg,-1,1\n");
  });

  it("rejects mismatched shapes and NaN scores", async () => {
    const path = join(tmp, "bad.csv");
    await expect(
      writePredictions(path, ["x.jpg"], ["A", "B"], new Float32Array(3)),
    ).rejects.toThrow(InvalidOptionError);
    await expect(writePredictions(path, ["x.jpg"], ["A"], [[Number.NaN]])).rejects.toThrow(/NaN/);
    expect(readdirSync(tmp).filter((f) => f.startsWith("bad"))).toEqual([]);
  });
});
