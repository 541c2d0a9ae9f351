import { describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { chooseEngine, loadOnnxRuntime } from "./onnx-engine";

describe("chooseEngine", () => {
  it("picks ONNX Runtime for .onnx files and tfjs otherwise, unless --engine says", () => {
    expect(chooseEngine(undefined, "/m/model.onnx")).toBe("onnxruntime");
    expect(chooseEngine(undefined, "/m/MODEL.ONNX")).toBe("onnxruntime");
    expect(chooseEngine(undefined, "/m/epoch-01.safetensors")).toBe("tfjs");
    expect(chooseEngine(undefined, null)).toBe("tfjs");
    expect(chooseEngine("onnxruntime", "/m/resnext.pth")).toBe("onnxruntime");
    expect(chooseEngine("tfjs", "/m/resnext.pth")).toBe("tfjs");
  });

  it("rejects unknown engines and tfjs on an .onnx file", () => {
    expect(() => chooseEngine("torch", null)).toThrow(/--engine "torch".*tfjs, onnxruntime/);
    expect(() => chooseEngine("tfjs", "m.onnx")).toThrow(CliError);
  });
});

describe("loadOnnxRuntime", () => {
  it("loads the installed onnxruntime-node", async () => {
    const ort = await loadOnnxRuntime();
    expect(typeof ort.InferenceSession.create).toBe("function");
  });

  it("says how to install onnxruntime-node when it is missing", async () => {
    const missing = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package 'onnxruntime-node'"), {
          code: "ERR_MODULE_NOT_FOUND",
        }),
      );
    const error = await loadOnnxRuntime(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/pnpm add onnxruntime-node/);
    expect((error as Error).message).toMatch(/Cannot find package 'onnxruntime-node'/);
    expect((error as Error).message).toMatch(/--engine tfjs/);
  });
});
