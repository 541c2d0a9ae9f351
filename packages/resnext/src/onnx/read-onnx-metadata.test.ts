import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/factories";
import type { ResNetModel } from "../model/resnet-model";
import { CorruptWeightsError } from "../weights-errors";
import { exportOnnx } from "./export-onnx";
import { readOnnxMetadata, readOnnxMetadataFrom } from "./read-onnx-metadata";

/** A reader over bytes in memory that counts what it hands out. */
function counted(bytes: Uint8Array) {
  const stats = { bytesRead: 0 };
  const read = async (position: number, length: number) => {
    const out = bytes.slice(position, position + length);
    stats.bytesRead += out.length;
    return out;
  };
  return { read, stats };
}

describe("readOnnxMetadataFrom", () => {
  let model: ResNetModel;
  let bytes: Uint8Array;
  beforeAll(async () => {
    await tf.setBackend("cpu");
    model = createModel({ arch: "resnext_tiny", numClasses: 3, seed: 4 });
    bytes = await exportOnnx(model, {
      inputSize: { width: 24, height: 32 },
      normalize: { mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6] },
      attributeNames: ["a", "b", "c"],
      metadata: { note: "x".repeat(300) },
    });
  });
  afterAll(() => model.dispose());

  it("reads what readOnnxMetadata reads from the whole file, without reading the graph", async () => {
    const { read, stats } = counted(bytes);
    const info = await readOnnxMetadataFrom(read, bytes.length, "m.onnx");
    expect(info).toEqual(readOnnxMetadata(bytes, "m.onnx"));
    expect(info.metadata.normalization_std).toBe("[0.4,0.5,0.6]");
    expect(info.metadata.note).toHaveLength(300);
    // The weights alone are over 90% of the file; the reader touched under 5% of it.
    expect(stats.bytesRead).toBeLessThan(bytes.length * 0.05);
  });

  it.each([
    ["a truncated file", (b: Uint8Array) => b.subarray(0, b.length - 7)],
    ["bytes that are not protobuf", () => new Uint8Array([0xff, 0xff, 0xff, 1])],
    ["no graph", () => new Uint8Array([0x08, 0x07])],
  ])("throws CorruptWeightsError naming the file for %s", async (_, cut) => {
    const b = cut(bytes);
    const error = await readOnnxMetadataFrom(counted(b).read, b.length, "bad.onnx").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CorruptWeightsError);
    expect((error as Error).message).toMatch(/bad\.onnx/);
  });
});
