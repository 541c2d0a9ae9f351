import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { useSwiftShaderUnlessSet } from "../test/webgpu-setup";
import { backendLines, selectBackend } from "./backend";
import { CliError } from "./errors";

const order = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"];
// With chromium's SwiftShader as the only Vulkan driver, webgpu has a software adapter only.
useSwiftShaderUnlessSet();

describe("selectBackend", () => {
  it("auto for training falls back no further than wasm, and explains every backend it passed over", async () => {
    const got = await selectBackend("auto", { forTraining: true });
    expect(["tensorflow-gpu", "tensorflow", "wasm"]).toContain(got.name);
    expect(tf.getBackend()).toBe(got.tfName);
    const passed = order.slice(0, order.indexOf(got.name));
    expect(got.skipped.map((s) => s.split(":")[0])).toEqual(passed);
    for (const line of got.skipped) expect(line.length).toBeGreaterThan(20);
    if (passed.includes("wasm"))
      expect(got.skipped.join("\n")).toMatch(/wasm: .*no convolution gradient kernels/);
    // auto passes over a software adapter (slower than wasm) and says how to ask for it.
    if (passed.includes("webgpu"))
      expect(got.skipped.join("\n")).toMatch(
        /webgpu: (only a software adapter: .* Ask for it with --backend webgpu\.|Dawn found no GPU adapter|the webgpu package)/,
      );
    expect(backendLines(got)).toEqual([
      `backend: ${got.name}`,
      ...got.skipped.map((s) => `  not ${s}`),
    ]);
  });

  it("auto for inference falls back no further than wasm", async () => {
    const got = await selectBackend("auto", { forTraining: false });
    expect(["tensorflow-gpu", "tensorflow", "wasm"]).toContain(got.name);
    expect(tf.getBackend()).toBe(got.tfName);
  });

  it("an explicit cpu backend is set as asked", async () => {
    const got = await selectBackend("cpu", { forTraining: false });
    expect(got).toEqual({ name: "cpu", tfName: "cpu", skipped: [] });
  });

  it("rejects an unknown backend, listing the choices", async () => {
    await expect(selectBackend("metal" as never, { forTraining: false })).rejects.toThrow(CliError);
    await expect(selectBackend("metal" as never, { forTraining: false })).rejects.toThrow(
      /unknown backend "metal": choose one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/,
    );
  });
});
