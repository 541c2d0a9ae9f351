import { describe, expect, it } from "vitest";
import { CommandContext } from "./command-context";
import { CliError } from "./errors";
import { resizeForCrop } from "./run-config";
import { runConfigFromFlags } from "./run-config-flags";

const ctx = (flags: Record<string, string | boolean>) =>
  new CommandContext("train", flags, () => {});

describe("runConfigFromFlags", () => {
  it("defaults to the paper's procedure", () => {
    const c = runConfigFromFlags(ctx({}), "/data");
    expect(c).toMatchObject({
      arch: "resnext50_32x4d",
      epochs: 12,
      lr: 0.002,
      loss: "mse",
      optimizer: "adamax",
      freeze: 6,
      split: "random",
      imageSize: { width: 178, height: 218 },
      resize: { width: 220, height: 270 },
      weights: null,
    });
  });

  it("scales the training resize with --image-size", () => {
    expect(resizeForCrop({ width: 89, height: 109 })).toEqual({ width: 110, height: 135 });
    expect(runConfigFromFlags(ctx({ "image-size": "64x78" }), "/d").resize).toEqual({
      width: 79,
      height: 97,
    });
  });

  it.each([
    [{ arch: "resnet9" }, /--arch "resnet9" is not valid: choose one of resnet18, .*resnext_tiny/],
    [{ loss: "hinge" }, /--loss "hinge" is not valid: choose one of mse, l1, bce/],
    [
      { optimizer: "rmsprop" },
      /--optimizer "rmsprop" is not valid: choose one of adamax, adam, sgd/,
    ],
    [{ split: "kfold" }, /--split "kfold" is not valid: choose one of random, official/],
    [{ epochs: "0" }, /--epochs "0" is not valid: give a positive integer/],
    [{ freeze: "-1" }, /--freeze "-1" is not valid: give a non-negative integer/],
    [{ lr: "fast" }, /--lr "fast" is not valid: give a positive number/],
    [
      { backend: "metal" },
      /--backend "metal" is not valid: choose one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/,
    ],
    [{ "image-size": "178" }, /--image-size "178" is not valid: give WIDTHxHEIGHT/],
    [
      { freeze: "11" },
      /--freeze 11 is not valid: a ResNet has 10 top-level children .*give 0 to 10/,
    ],
    [{ lr: "" }, /--lr "" is not valid: give a positive number/],
  ])("rejects %j with a message that lists the choices", (flags, pattern) => {
    expect(() => runConfigFromFlags(ctx(flags), "/d")).toThrow(CliError);
    expect(() => runConfigFromFlags(ctx(flags), "/d")).toThrow(pattern);
  });
});
