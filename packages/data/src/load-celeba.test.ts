import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeZip } from "@celeba/internal/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AnnotationError,
  BadImageError,
  MissingImagesError,
  MissingPathError,
  ZipError,
} from "./errors";
import { loadCelebA } from "./load-celeba";
import { makeSyntheticCelebA, type SyntheticCelebA } from "./synthetic-celeba";

const tmp = mkdtempSync(join(tmpdir(), "celeba-load-"));
let folder: SyntheticCelebA;
let zipped: SyntheticCelebA;
beforeAll(async () => {
  folder = await makeSyntheticCelebA(join(tmp, "folder"), { count: 30, seed: 5 });
  zipped = await makeSyntheticCelebA(join(tmp, "zip"), { count: 30, seed: 5, format: "zip" });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copy(name: string, from = folder.root): string {
  const dir = join(tmp, name);
  cpSync(from, dir, { recursive: true });
  return dir;
}

describe("loadCelebA", () => {
  it("loads a folder: names from the header, labels, partitions, decoded 178x218 RGB images", async () => {
    const ds = await loadCelebA({ root: folder.root });
    expect(ds.attributeNames).toEqual(folder.attributeNames);
    expect(ds.size).toBe(30);
    expect(ds.images.kind).toBe("folder");
    ds.items.forEach((item, i) => {
      expect(item.id).toBe(folder.ids[i]);
      expect(Array.from(item.labels)).toEqual(
        Array.from(folder.labels.subarray(i * 40, (i + 1) * 40)),
      );
      expect(item.partition).toBe(folder.partition[i]);
    });
    const img = await ds.readImage("000007.jpg");
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([
      178,
      218,
      3,
      178 * 218 * 3,
    ]);
    await ds.close();
  });

  it("reads the zip in place and decodes the same pixels as the folder", async () => {
    const a = await loadCelebA({ root: folder.root });
    const b = await loadCelebA({ root: zipped.root });
    expect(b.images.kind).toBe("zip");
    expect(b.items.map((x) => x.id)).toEqual(a.items.map((x) => x.id));
    for (const id of ["000001.jpg", "000030.jpg", "000013.jpg"]) {
      expect(
        Buffer.from(await b.readImageBytes(id)).equals(Buffer.from(await a.readImageBytes(id))),
      ).toBe(true);
      expect((await b.readImage(id)).data).toEqual((await a.readImage(id)).data);
    }
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses a zip in which two images share a base name, naming both entries (issue 15, failure 7)", async () => {
    const dir = join(tmp, "planted");
    mkdirSync(dir);
    for (const f of ["list_attr_celeba.txt", "list_eval_partition.txt"]) {
      cpSync(join(zipped.root, f), join(dir, f));
    }
    const real = join(folder.root, "img_align_celeba");
    const planted = Buffer.from(readFileSync(join(real, "000001.jpg")));
    // The planted copy comes first: before, the first entry of a base name silently won.
    await writeZip(join(dir, "img_align_celeba.zip"), [
      { name: "../000007.jpg", data: planted },
      ...zipped.ids.map((id) => ({
        name: `img_align_celeba/${id}`,
        data: readFileSync(join(real, id)),
      })),
    ]);
    const error = await loadCelebA({ root: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZipError);
    expect((error as Error).message).toMatch(
      /img_align_celeba\.zip!img_align_celeba\/000007\.jpg: entries "\.\.\/000007\.jpg" and "img_align_celeba\/000007\.jpg" share the file name "000007\.jpg"/,
    );
  });

  it("reads the Kaggle CSV variant and a nested img_align_celeba/img_align_celeba folder", async () => {
    const dir = copy("kaggle");
    const ds0 = await loadCelebA({ root: dir });
    const names = ds0.attributeNames;
    const csv = [
      `image_id,${names.join(",")}`,
      ...ds0.items.map((x) => [x.id, ...x.labels].join(",")),
    ].join("\n");
    writeFileSync(join(dir, "list_attr_celeba.csv"), `${csv}\n`);
    writeFileSync(
      join(dir, "list_eval_partition.csv"),
      `image_id,partition\n${ds0.items.map((x) => `${x.id},${x.partition}`).join("\n")}\n`,
    );
    unlinkSync(join(dir, "list_attr_celeba.txt"));
    unlinkSync(join(dir, "list_eval_partition.txt"));
    renameSync(join(dir, "img_align_celeba"), join(dir, "inner"));
    mkdirSync(join(dir, "img_align_celeba"));
    renameSync(join(dir, "inner"), join(dir, "img_align_celeba", "img_align_celeba"));
    const ds = await loadCelebA({ root: dir });
    expect(ds.attributeNames).toEqual(names);
    expect(ds.items).toEqual(ds0.items);
    expect((await ds.readImage("000002.jpg")).width).toBe(178);
  });

  it("a missing root or image folder names the path and the expected layout", async () => {
    await expect(loadCelebA({ root: join(tmp, "nope") })).rejects.toThrow(
      /CelebA root folder not found: .*nope\. Expected layout: <root>\/img_align_celeba/,
    );
    const dir = copy("noimages");
    rmSync(join(dir, "img_align_celeba"), { recursive: true });
    const error = await loadCelebA({ root: dir }).catch((e) => e);
    expect(error).toBeInstanceOf(MissingPathError);
    expect(error.message).toMatch(
      /Image folder or zip \(img_align_celeba or img_align_celeba\.zip\) not found: .*noimages\/img_align_celeba/,
    );
    expect(error.message).toMatch(/Expected layout/);
  });

  it("listed-but-missing images: error with the count, or skip with a warning; unlisted ones warn with counts", async () => {
    const dir = copy("missing");
    unlinkSync(join(dir, "img_align_celeba", "000004.jpg"));
    unlinkSync(join(dir, "img_align_celeba", "000009.jpg"));
    writeFileSync(
      join(dir, "img_align_celeba", "999999.jpg"),
      readFileSync(join(dir, "img_align_celeba", "000001.jpg")),
    );
    const error = await loadCelebA({ root: dir, onWarning: () => {} }).catch((e) => e);
    expect(error).toBeInstanceOf(MissingImagesError);
    expect(error.count).toBe(2);
    expect(error.message).toMatch(
      /^2 image\(s\) listed in list_attr_celeba\.txt are missing .*\(first: 000004\.jpg, 000009\.jpg\)/,
    );
    const warnings: string[] = [];
    const ds = await loadCelebA({
      root: dir,
      onMissingImage: "skip",
      onWarning: (m) => warnings.push(m),
    });
    expect(ds.size).toBe(28);
    expect(warnings.join("\n")).toMatch(/skipping 2 image\(s\)/);
    expect(warnings.join("\n")).toMatch(/1 image\(s\) in .* are not listed .* 30 are listed/);
  });

  it("a malformed annotation line fails with file and line", async () => {
    const dir = copy("malformed");
    const path = join(dir, "list_attr_celeba.txt");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[6] = lines[6]!.replace(/ (-1| 1)$/, "  2");
    writeFileSync(path, lines.join("\n"));
    const error = await loadCelebA({ root: dir }).catch((e) => e);
    expect(error).toBeInstanceOf(AnnotationError);
    expect(error.message).toMatch(/^list_attr_celeba\.txt:7: value "2" for attribute Young/);
  });

  it("a truncated JPEG fails on read with a BadImageError naming the file", async () => {
    const dir = copy("truncated");
    const path = join(dir, "img_align_celeba", "000003.jpg");
    writeFileSync(path, readFileSync(path).subarray(0, 1500));
    const ds = await loadCelebA({ root: dir });
    const error = await ds.readImage("000003.jpg").catch((e) => e);
    expect(error).toBeInstanceOf(BadImageError);
    expect(error.message).toMatch(
      /Cannot decode image 000003\.jpg \(.*img_align_celeba\/000003\.jpg\)/,
    );
    expect(error.message).toMatch(/onBadImage: "skip"/);
  });
});
