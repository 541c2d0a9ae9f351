import { describe, expect, it } from "vitest";
import { ARCHITECTURES } from "./architectures";
import { type BlockOps, blockForward, blockLayers, type ConvBnLayout } from "./block";
import { networkLayout, plannedEntries } from "./layout";

/** Ops whose values are expressions, recording every call. */
function tracingOps(log: string[]): BlockOps<string, ConvBnLayout> {
  return {
    convBn: (x, l, relu) => `${relu ? "relu" : ""}(${l.bn}(${l.conv}(${x})))`,
    addRelu: (out, identity, block) => {
      log.push(`add ${block}`);
      return `relu(${out} + ${identity})`;
    },
    release: (x) => log.push(`release ${x.length > 30 ? `${x.slice(0, 30)}...` : x}`),
  };
}

describe("a block as data, one forward pass", () => {
  it("runs a BasicBlock as two conv-bn steps, ReLU between, then the residual add", () => {
    const block = networkLayout(ARCHITECTURES.resnet18).blocks[0]!;
    expect(blockLayers(block).map((l) => [l.conv, l.kernel, l.stride])).toEqual([
      ["layer1.0.conv1", 3, 1],
      ["layer1.0.conv2", 3, 1],
    ]);
    const y = blockForward("x", block, tracingOps([]));
    expect(y).toBe(
      "relu((layer1.0.bn2(layer1.0.conv2(relu(layer1.0.bn1(layer1.0.conv1(x)))))) + x)",
    );
  });

  it("runs a Bottleneck as three steps, the stride in the 3x3, with a downsample", () => {
    const layout = networkLayout(ARCHITECTURES.resnext50_32x4d);
    const block = layout.blocks[3]!; // layer2.0: strides and widens
    expect(block.name).toBe("layer2.0");
    expect(
      blockLayers(block).map((l) => [l.conv, l.kernel, l.stride, l.groups, l.outChannels]),
    ).toEqual([
      ["layer2.0.conv1", 1, 1, 1, 256],
      ["layer2.0.conv2", 3, 2, 32, 256],
      ["layer2.0.conv3", 1, 1, 1, 512],
      ["layer2.0.downsample.0", 1, 2, 1, 512],
    ]);
    const log: string[] = [];
    const y = blockForward("x", block, tracingOps(log));
    expect(y).toBe(
      "relu((layer2.0.bn3(layer2.0.conv3(relu(layer2.0.bn2(layer2.0.conv2(relu(layer2.0.bn1(layer2.0.conv1(x))))))))) + (layer2.0.downsample.1(layer2.0.downsample.0(x))))",
    );
    // Every intermediate is released once, the block's input never.
    expect(log.filter((l) => l.startsWith("release"))).toHaveLength(4);
    expect(log).not.toContain("release x");
    expect(log.at(-3)).toBe("add layer2.0");
    expect(layout.numFeatures).toBe(2048);
  });

  it("derives the state-dict names and shapes from the same layout", () => {
    const keys = plannedEntries(networkLayout(ARCHITECTURES.resnet18), 10).map((e) => e.key);
    expect(keys.slice(0, 6)).toEqual([
      "conv1.weight",
      "bn1.weight",
      "bn1.bias",
      "bn1.running_mean",
      "bn1.running_var",
      "bn1.num_batches_tracked",
    ]);
    expect(keys).toContain("layer2.0.downsample.0.weight");
    expect(keys).not.toContain("layer1.0.downsample.0.weight");
    expect(keys.slice(-2)).toEqual(["fc.weight", "fc.bias"]);
  });
});
