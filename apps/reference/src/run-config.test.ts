import { describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { checkRunConfig, paperRunConfig, type RunConfig, resizeForCrop } from "./run-config";

const valid = paperRunConfig("/data");
const FILE = { kind: "file", path: "/runs/a/run.json", prefix: "settings." } as const;
const bad = (change: Record<string, unknown>) => ({ ...valid, ...change }) as RunConfig;

describe("checkRunConfig", () => {
  it("passes the paper's settings through unchanged", () => {
    expect(checkRunConfig(valid)).toBe(valid);
    expect(checkRunConfig({ ...valid, skipBadImages: true }, FILE).skipBadImages).toBe(true);
  });

  it("gives the paper's settings, with the resize following a changed image size", () => {
    expect(valid).toMatchObject({ arch: "resnext50_32x4d", epochs: 12, lr: 0.002, freeze: 6 });
    expect(valid.resize).toEqual({ width: 220, height: 270 });
    const small = paperRunConfig("/d", { imageSize: { width: 32, height: 40 }, epochs: 1 });
    expect(small).toMatchObject({ data: "/d", epochs: 1, resize: { width: 40, height: 50 } });
  });

  it("scales the paper's 220x270 resize to another crop size", () => {
    expect(resizeForCrop({ width: 178, height: 218 })).toEqual({ width: 220, height: 270 });
    expect(resizeForCrop({ width: 64, height: 78 })).toEqual({ width: 79, height: 97 });
  });

  it.each([
    [{ epochs: 0 }, "--epochs 0 is not valid: give a positive integer."],
    [{ batchSize: 2.5 }, "--batch-size 2.5 is not valid: give a positive integer."],
    [{ lr: -0.1 }, "--lr -0.1 is not valid: give a positive number, e.g. 0.002."],
    [{ arch: "vgg16" }, /^--arch "vgg16" is not valid: choose one of resnet18, .*resnext_tiny\.$/],
    [{ split: "kfold" }, '--split "kfold" is not valid: choose one of random, official.'],
    [{ backend: "metal" }, /^--backend "metal" is not valid: choose one of auto, .*cpu\.$/],
    [
      { freeze: 11 },
      /^--freeze 11 is not valid: a ResNet has 10 top-level children \(conv1, .*give 0 to 10/,
    ],
    [{ seed: -1 }, "--seed -1 is not valid: give a non-negative integer."],
    [{ imageSize: { width: 4, height: 4 } }, /^--image-size 4x4 is not valid: give WIDTHxHEIGHT/],
    [{ limit: -3 }, /^--limit -3 is not valid: give a non-negative integer/],
  ])("names the flag, the value and the fix for %j", (change, message) => {
    expect(() => checkRunConfig(bad(change))).toThrow(CliError);
    expect(() => checkRunConfig(bad(change))).toThrow(message);
  });

  it("names the file and the key of a saved setting that is missing or wrong", () => {
    const { optimizer: _, ...noOptimizer } = valid;
    expect(() => checkRunConfig(noOptimizer as RunConfig, FILE)).toThrow(
      '/runs/a/run.json: "settings.optimizer" is missing: choose one of adamax, adam, sgd. ' +
        "Correct it, or start a new run with --force.",
    );
    expect(() => checkRunConfig(bad({ epochs: "12" }), FILE)).toThrow(
      /^\/runs\/a\/run\.json: "settings\.epochs" is "12": give a positive integer\./,
    );
    expect(() => checkRunConfig(bad({ skipBadImages: "yes" }), FILE)).toThrow(
      /"settings\.skipBadImages" is "yes": give true or false/,
    );
    expect(() => checkRunConfig(null as unknown as RunConfig, { ...FILE, prefix: "" })).toThrow(
      /run\.json: "the file" is null: give an object of settings/,
    );
  });

  it("refuses a training resize smaller than the crop it is cut from", () => {
    expect(() => checkRunConfig(bad({ resize: { width: 100, height: 300 } }), FILE)).toThrow(
      /"settings\.resize" is \{"width":100,"height":300\}: give a width and height at least/,
    );
  });
});
