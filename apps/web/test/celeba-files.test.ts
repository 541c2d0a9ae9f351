import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSyntheticCelebA } from "@celeba/data";
import { writeZip } from "@celeba/internal/node";
import { afterAll, describe, expect, it } from "vitest";
import { readPickedCelebA } from "../src/celeba-files";

// The page's picking of CelebA files (the text files go through @celeba/data's parsers, the zip
// through @celeba/internal's reader), on the files `reference synth --zip` writes: the synthetic
// set's own ids and labels, and its JPEG bytes as sharp wrote them, are the reference.
const dir = mkdtempSync(join(tmpdir(), "celeba-web-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array = readFileSync(join(dir, name))) =>
  new File([bytes as Uint8Array<ArrayBuffer>], name);
const LAYOUT = ["img_align_celeba.zip", "list_attr_celeba.txt", "list_eval_partition.txt"];

/** A zip of the given entries, written by @celeba/internal's zip writer. */
async function zipOf(name: string, entries: [string, Uint8Array][]): Promise<Uint8Array> {
  const path = join(dir, name);
  await writeZip(
    path,
    entries.map(([entry, data]) => ({ name: entry, data })),
    { store: true },
  );
  return readFileSync(path);
}

describe("the page's picking of CelebA files", () => {
  it("reads a synthetic CelebA zip layout: ids, labels, split and the JPEG bytes", async () => {
    const synth = await makeSyntheticCelebA(dir, { count: 24, seed: 5, format: "zip" });
    const picked = await readPickedCelebA(LAYOUT.map((name) => file(name)));
    expect(picked.attributeNames).toHaveLength(40);
    expect(picked.rows.map((r) => r.id)).toEqual(synth.ids);
    // The labels as the synthetic set drew them: the attribute file's own tokens.
    const lines = readFileSync(join(dir, "list_attr_celeba.txt"), "utf8").trim().split("\n");
    expect(picked.rows.map((r) => [...r.labels].join(" "))).toEqual(
      lines.slice(2).map((l) => l.trim().split(/\s+/).slice(1).join(" ")),
    );
    expect(new Set(picked.partition!.values())).toEqual(new Set([0, 1, 2]));
    expect([...picked.images.keys()].sort()).toEqual([...synth.ids].sort());
    const first = new Uint8Array(await picked.images.get(synth.ids[0]!)!.arrayBuffer());
    expect([...first.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // a JPEG, inflated whole
    expect(picked.images.get(synth.ids[0]!)!.type).toBe("image/jpeg");
  });

  it("takes loose images instead of the zip, and works without the partition file", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
    const attrs = new File(["2\nA B\nx.jpg 1 -1\ny.png -1 1\n"], "list_attr_celeba.txt");
    const picked = await readPickedCelebA([attrs, file("x.jpg", jpeg), file("y.png", jpeg)]);
    expect(picked.partition).toBeUndefined();
    expect(picked.rows.map((r) => [r.id, ...r.labels])).toEqual([
      ["x.jpg", 1, -1],
      ["y.png", -1, 1],
    ]);
    expect([...picked.images.keys()]).toEqual(["x.jpg", "y.png"]);
  });

  it("names the file and line of a malformed row (@celeba/data's messages)", async () => {
    const bad = new File(["2\nA B\nx.jpg 1 -1\ny.jpg 1\n"], "list_attr_celeba.txt");
    await expect(readPickedCelebA([bad])).rejects.toThrow(/^list_attr_celeba\.txt:4: /);
    const attrs = new File(["1\nA\nx.jpg 1\n"], "list_attr_celeba.txt");
    const part = new File(["x.jpg 0\ny.jpg 3\n"], "list_eval_partition.txt");
    await expect(readPickedCelebA([attrs, part])).rejects.toThrow(/^list_eval_partition\.txt:2: /);
  });

  it("asks for the attribute file and for missing images", async () => {
    await expect(readPickedCelebA([])).rejects.toThrow("list_attr_celeba.txt is missing");
    const attrs = new File(["1\nA\nx.jpg 1\n"], "list_attr_celeba.txt");
    await expect(readPickedCelebA([attrs])).rejects.toThrow(
      "1 images listed in list_attr_celeba.txt are not among the picked files (first: x.jpg)",
    );
  });

  it("refuses a corrupt zip and two images of one name, naming the zip", async () => {
    const attrs = new File(["1\nA\nx.jpg 1\n"], "list_attr_celeba.txt");
    const x = new Uint8Array([1, 2, 3]);
    const zip = await zipOf("slice.zip", [["img_align_celeba/x.jpg", x]]);
    const picked = await readPickedCelebA([attrs, file("slice.zip", zip)]);
    expect([...new Uint8Array(await picked.images.get("x.jpg")!.arrayBuffer())]).toEqual([1, 2, 3]);
    const corrupt = Uint8Array.from(zip);
    corrupt[30 + "img_align_celeba/x.jpg".length] = 9; // the data no longer matches its CRC
    await expect(readPickedCelebA([attrs, file("slice.zip", corrupt)])).rejects.toThrow(
      /^slice\.zip!img_align_celeba\/x\.jpg: /,
    );
    const twoFolders = await zipOf("two.zip", [
      ["a/x.jpg", x],
      ["b/x.jpg", x],
    ]);
    await expect(readPickedCelebA([attrs, file("two.zip", twoFolders)])).rejects.toThrow(
      "two.zip: two images named x.jpg",
    );
    await expect(
      readPickedCelebA([attrs, file("slice.zip", zip), file("x.jpg", x)]),
    ).rejects.toThrow("x.jpg: a second image named x.jpg");
  });
});
