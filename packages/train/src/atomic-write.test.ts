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
    await writeFileAtomic(p, "second");
    expect(await readFile(p, "utf8")).toBe("second");
    expect(await readdir(dir)).toEqual(["latest.json"]);
    await expect(writeFileAtomic(join(dir, "missing-dir", "x"), "y")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["latest.json"]);
    await rm(dir, { recursive: true });
  });
});
