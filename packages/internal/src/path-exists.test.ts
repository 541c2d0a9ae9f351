import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pathExists } from "./path-exists";

describe("pathExists", () => {
  it("is true for files and folders, false for missing paths and broken links", async () => {
    const dir = await mkdtemp(join(tmpdir(), "celeba-exists-"));
    await writeFile(join(dir, "f"), "x");
    await symlink(join(dir, "nowhere"), join(dir, "broken"));
    expect(await pathExists(dir)).toBe(true);
    expect(await pathExists(join(dir, "f"))).toBe(true);
    expect(await pathExists(join(dir, "missing"))).toBe(false);
    expect(await pathExists(join(dir, "broken"))).toBe(false);
    await rm(dir, { recursive: true });
  });
});
