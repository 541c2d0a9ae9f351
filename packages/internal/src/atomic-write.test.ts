import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeJsonAtomic } from "./atomic-write";

describe("writeFileAtomic", () => {
  it("replaces the file and leaves no temp file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "celeba-atomic-"));
    const p = join(dir, "latest.json");
    await writeJsonAtomic(p, { a: 1 });
    expect(await readFile(p, "utf8")).toBe('{\n  "a": 1\n}\n');
    await writeFileAtomic(p, "second");
    expect(await readFile(p, "utf8")).toBe("second");
    expect(await readdir(dir)).toEqual(["latest.json"]);
    await expect(writeFileAtomic(join(dir, "missing-dir", "x"), "y")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["latest.json"]);
    await rm(dir, { recursive: true });
  });

  it("streams an async iterable, and a failing one leaves the old file and no temp file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "celeba-atomic-"));
    const p = join(dir, "rows.csv");
    await writeFileAtomic(
      p,
      (async function* () {
        yield "a,b\n";
        yield new TextEncoder().encode("1,2\n");
      })(),
    );
    expect(await readFile(p, "utf8")).toBe("a,b\n1,2\n");
    const failing = (async function* () {
      yield "half";
      throw new Error("disk full");
    })();
    await expect(writeFileAtomic(p, failing)).rejects.toThrow("disk full");
    expect(await readFile(p, "utf8")).toBe("a,b\n1,2\n");
    expect(await readdir(dir)).toEqual(["rows.csv"]);
    await rm(dir, { recursive: true });
  });

  it("concurrent writers of one path leave one complete content, never a mix", async () => {
    const dir = await mkdtemp(join(tmpdir(), "celeba-atomic-"));
    const p = join(dir, "w.bin");
    const contents = Array.from({ length: 8 }, (_, i) => new Uint8Array(200_000).fill(i));
    await Promise.all(contents.map((c) => writeFileAtomic(p, c)));
    const got = await readFile(p);
    expect(got.length).toBe(200_000);
    expect(new Set(got).size).toBe(1);
    expect(await readdir(dir)).toEqual(["w.bin"]);
    await rm(dir, { recursive: true });
  });
});
