import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { paperRunConfig } from "./run-config";
import { readRunConfig } from "./run-folder";

const work = mkdtempSync(join(tmpdir(), "celeba-run-folder-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const settings = paperRunConfig("/data");

/** A run folder whose run.json (or, with `legacy`, config.json) holds `saved`. */
function runFolder(name: string, saved: unknown, legacy = false): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  if (legacy) {
    writeFileSync(join(dir, "run.json"), JSON.stringify({ epochs: 12 }));
    writeFileSync(join(dir, "config.json"), JSON.stringify(saved));
  } else {
    writeFileSync(join(dir, "run.json"), JSON.stringify({ epochs: 12, settings: saved }));
  }
  return dir;
}

describe("readRunConfig", () => {
  it("reads the settings of run.json, and of a run made before (config.json)", async () => {
    expect(await readRunConfig(runFolder("ok", settings))).toEqual(settings);
    expect(await readRunConfig(runFolder("legacy", settings, true))).toEqual(settings);
  });

  it("names the file and the key of a saved setting that is not valid, and the fix", async () => {
    const dir = runFolder("bad-lr", { ...settings, lr: "fast" });
    await expect(readRunConfig(dir)).rejects.toThrow(CliError);
    await expect(readRunConfig(dir)).rejects.toThrow(
      `${join(dir, "run.json")}: "settings.lr" is "fast": give a positive number, e.g. 0.002. ` +
        "Correct it, or start a new run with --force.",
    );
    const { split: _, ...noSplit } = settings;
    const legacy = runFolder("legacy-no-split", noSplit, true);
    await expect(readRunConfig(legacy)).rejects.toThrow(
      `${join(legacy, "config.json")}: "split" is missing: choose one of random, official.`,
    );
  });
});
