import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "./errors";
import {
  checkOutputFolder,
  type OutputFolderRequest,
  openExistingRunFolder,
  openOutputFolder,
} from "./output-folder";
import { RUN_LOCK_FILE } from "./run-lock";
import { RUN_MARKER_FILE, writeRunMarker } from "./run-marker";

const root = mkdtempSync(join(tmpdir(), "celeba-out-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case${n++}`);
const request = (dir: string, extra: Partial<OutputFolderRequest> = {}): OutputFolderRequest => ({
  dir,
  command: "train",
  kind: "run",
  force: false,
  protect: [],
  ...extra,
});
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error("expected a CliError");
};

describe("output folders: --force deletes only what is ours", () => {
  it("never replaces a folder it did not make, and does not offer --force for it", () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, "thesis.tex"), "years of work");
    for (const force of [false, true]) {
      const text = message(() => openOutputFolder(request(dir, { force })));
      expect(text).toMatch(
        /is not empty and was not made by "reference train", so it is never replaced/,
      );
      expect(text).not.toContain("--force");
    }
    expect(readdirSync(dir)).toEqual(["thesis.tex"]);
  });

  it("refuses an --out that is or contains --data or --weights, whatever the flags", () => {
    const dir = fresh();
    mkdirSync(join(dir, "images"), { recursive: true });
    const protect = [{ flag: "--data", path: join(dir, "images") }];
    expect(message(() => checkOutputFolder(request(dir, { force: true, protect })))).toMatch(
      /--out .* contains --data .*images: .*Pick an --out outside it/,
    );
    expect(
      message(() => checkOutputFolder(request(join(dir, "images"), { force: true, protect }))),
    ).toMatch(/--out .*images is --data/);
  });

  it("replaces a run of ours only with --force, offering --resume first", async () => {
    const dir = fresh();
    mkdirSync(dir);
    await writeRunMarker(dir, "run");
    writeFileSync(join(dir, "config.json"), "{}");
    expect(
      message(() => checkOutputFolder(request(dir, { continueHint: "Continue it. " }))),
    ).toMatch(/already holds a training run .*Continue it\. Pass --force to replace it/);
    const folder = openOutputFolder(request(dir, { force: true }));
    expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
    folder.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("does not let --force turn one kind of folder of ours into another", async () => {
    const dir = fresh();
    mkdirSync(dir);
    await writeRunMarker(dir, "synth");
    expect(message(() => checkOutputFolder(request(dir, { force: true })))).toMatch(
      /holds a synthetic CelebA .* not a training run/,
    );
    expect(existsSync(join(dir, RUN_MARKER_FILE))).toBe(true);
  });

  it("rolls back a folder it created, leaving nothing", async () => {
    const dir = join(fresh(), "nested", "run");
    const folder = openOutputFolder(request(dir));
    await writeRunMarker(dir, "run");
    writeFileSync(join(dir, "config.json"), "{}");
    folder.rollback();
    expect(existsSync(dir)).toBe(false);
  });

  it("rolls back into an empty folder it was given, keeping the folder", async () => {
    const dir = fresh();
    mkdirSync(dir);
    const folder = openOutputFolder(request(dir));
    writeFileSync(join(dir, "config.json"), "{}");
    folder.rollback();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("turns a file given as --out into a sentence", () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    expect(message(() => checkOutputFolder(request(file)))).toBe(
      `--out ${file} is a file, not a folder: pick a folder path.`,
    );
    expect(message(() => checkOutputFolder(request(join(file, "run"))))).toMatch(
      /cannot be created: .*a-file is a file, not a folder/,
    );
  });
});

describe("openExistingRunFolder", () => {
  it("removes the temporary files a killed write left behind, and nothing else", () => {
    const dir = fresh();
    mkdirSync(join(dir, "checkpoints"), { recursive: true });
    // Every write of ours names its temporary file `.<target>.<pid>.<hex>.tmp` (writeFileAtomic).
    const keep = ["config.json", "checkpoints/epoch-01.safetensors", "notes.tmp"];
    const stray = [
      ".config.json.4242.0a1b2c3d.tmp",
      ".latest.json.4242.deadbeef.tmp",
      "checkpoints/.epoch-02.safetensors.4242.0badf00d.tmp",
      ".predictions.csv.4242.12345678.tmp",
    ];
    for (const f of [...keep, ...stray]) writeFileSync(join(dir, f), "x");
    const lock = openExistingRunFolder(dir, "evaluate");
    lock.release();
    for (const f of keep) expect(existsSync(join(dir, f)), f).toBe(true);
    for (const f of stray) expect(existsSync(join(dir, f)), f).toBe(false);
  });
});
