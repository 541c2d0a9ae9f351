import { thrownBy } from "@celeba/internal/testing";
import { describe, expect, it } from "vitest";
import {
  type CheckpointMetadata,
  CheckpointMetadataError,
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
  MAX_INPUT_SIDE,
} from "./checkpoint-metadata";

const full: CheckpointMetadata = {
  architecture: "resnext_tiny",
  inputSize: { width: 178, height: 218 },
  attributeNames: ["Smiling", "Male"],
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  epoch: 3,
  step: 12,
  metrics: { val_accuracy: 0.75 },
  config: { loss: "mse", optimizer: { name: "adamax" } },
};

describe("checkpoint metadata", () => {
  it("round-trips through the safetensors string map", () => {
    const map = encodeCheckpointMetadata(full);
    expect(Object.values(map).every((v) => typeof v === "string")).toBe(true);
    expect(map.format).toBe("pt");
    expect(JSON.parse(map.input_size!)).toEqual({ width: 178, height: 218 });
    expect(decodeCheckpointMetadata(map, "a.safetensors")).toEqual(full);
  });

  it("decodes a file without metadata to unknowns", () => {
    expect(decodeCheckpointMetadata({}, "bare.safetensors")).toEqual({
      architecture: "unknown",
      inputSize: null,
      attributeNames: null,
      normalization: null,
      epoch: null,
      step: null,
      metrics: {},
      config: {},
    });
  });

  it("reads both earlier input_size shapes: the library's [h, w, c] and the app's {width, height}", () => {
    const lib = decodeCheckpointMetadata({ input_size: "[218,178,3]" }, "lib.safetensors");
    const app = decodeCheckpointMetadata(
      { input_size: '{"width":178,"height":218}' },
      "app.safetensors",
    );
    expect(lib.inputSize).toEqual({ width: 178, height: 218 });
    expect(app.inputSize).toEqual({ width: 178, height: 218 });
  });

  it("reads a NaN metric (written as null by JSON) back as NaN", () => {
    const meta = decodeCheckpointMetadata({ metrics: '{"val_loss":null}' }, "x");
    expect(meta.metrics.val_loss).toBeNaN();
  });

  // Bad values by key: each is rejected naming the file, the key and what is wrong.
  const invalid: Record<string, [value: string, detail: string][]> = {
    input_size: [
      ['{"width":0,"height":218}', "width 0"],
      [`{"width":178,"height":${MAX_INPUT_SIDE + 1}}`, `height ${MAX_INPUT_SIDE + 1}`],
      ['{"width":1e9,"height":1e9}', "width 1000000000"],
      ['{"width":17.5,"height":218}', "width 17.5"],
      ["[218,178]", "[height, width, channels]"],
      ["{not json", "not valid JSON"],
    ],
    attribute_names: [
      ['["Smiling", 3]', "entry 1"],
      ["[]", "non-empty"],
    ],
    normalization: [
      ['{"mean":[0.5],"std":[0]}', "std > 0"],
      ['{"mean":[0.5,0.5],"std":[0.2]}', "channels"],
    ],
    epoch: [
      ["-1", "non-negative integer"],
      ["3.5", "non-negative integer"],
    ],
    architecture: [["../etc/passwd", "not an architecture name"]],
    metrics: [['{"acc":"high"}', "not a number"]],
    config: [["[1]", "JSON object"]],
  };
  const cases = Object.entries(invalid).flatMap(([key, values]) =>
    values.map(([value, detail]) => [key, value, detail] as const),
  );
  it.each(cases)("rejects %s = %s, naming the file and the key", (key, value, detail) => {
    const e = thrownBy(CheckpointMetadataError, () =>
      decodeCheckpointMetadata({ [key]: value }, "runs/x/epoch-03.safetensors"),
    );
    expect(e.key).toBe(key);
    expect(e.source).toBe("runs/x/epoch-03.safetensors");
    expect(e.message).toContain(`runs/x/epoch-03.safetensors: checkpoint metadata "${key}"`);
    expect(e.message).toContain(detail);
  });

  it("accepts the bounds themselves", () => {
    const meta = decodeCheckpointMetadata(
      { input_size: `{"width":1,"height":${MAX_INPUT_SIDE}}` },
      "x",
    );
    expect(meta.inputSize).toEqual({ width: 1, height: MAX_INPUT_SIDE });
  });
});
