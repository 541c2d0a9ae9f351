import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSyntheticCelebA, parseAttributes, parsePartition } from "@celeba/data";
import { afterAll, describe, expect, it } from "vitest";
import { parseAttributeText, parsePartitionText, readPickedCelebA } from "../src/celeba-files";

// The page's reader of the picked CelebA files, against @celeba/data's (Node) parsers on the
// files `reference synth --zip` writes.
const dir = mkdtempSync(join(tmpdir(), "celeba-web-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the page's CelebA file reader", () => {
  it("reads a synthetic CelebA zip layout as @celeba/data does", async () => {
    const synth = await makeSyntheticCelebA(dir, { count: 24, seed: 5, format: "zip" });
    const file = (name: string) => new File([readFileSync(join(dir, name))], name);
    const picked = await readPickedCelebA(
      ["img_align_celeba.zip", "list_attr_celeba.txt", "list_eval_partition.txt"].map(file),
    );
    const attrText = readFileSync(join(dir, "list_attr_celeba.txt"), "utf8");
    const reference = parseAttributes(attrText, "list_attr_celeba.txt");
    expect(picked.attributeNames).toEqual(reference.attributeNames);
    expect(picked.rows.map((r) => r.id)).toEqual(reference.rows.map((r) => r.id));
    expect(picked.rows.map((r) => [...r.labels])).toEqual(reference.rows.map((r) => [...r.labels]));
    const partText = readFileSync(join(dir, "list_eval_partition.txt"), "utf8");
    expect(picked.partition).toEqual(parsePartition(partText, "list_eval_partition.txt"));
    expect([...picked.images.keys()].sort()).toEqual([...synth.ids].sort());
    const first = new Uint8Array(await picked.images.get(synth.ids[0]!)!.arrayBuffer());
    expect([...first.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // a JPEG, inflated whole
  });

  it("names the file and line of a malformed row", () => {
    expect(() =>
      parseAttributeText("2\nA B\nx.jpg 1 -1\ny.jpg 1\n", "list_attr_celeba.txt"),
    ).toThrow("list_attr_celeba.txt, line 4: expected an image id and 2 values, found 2 fields");
    expect(() => parseAttributeText("1\nA B\nx.jpg 1 0\n", "attrs.txt")).toThrow(
      'attrs.txt, line 3: value "0" is not 1 or -1',
    );
    expect(() => parsePartitionText("x.jpg 0\ny.jpg 3\n", "list_eval_partition.txt")).toThrow(
      "list_eval_partition.txt, line 2",
    );
  });

  it("asks for the attribute file and for missing images", async () => {
    await expect(readPickedCelebA([])).rejects.toThrow("list_attr_celeba.txt is missing");
    const attrs = new File(["1\nA\nx.jpg 1\n"], "list_attr_celeba.txt");
    await expect(readPickedCelebA([attrs])).rejects.toThrow(
      "1 images listed in list_attr_celeba.txt are not among the picked files (first: x.jpg)",
    );
  });
});
