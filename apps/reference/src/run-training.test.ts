import { describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { paperRunConfig } from "./run-config";
import { explainWasmOutOfMemory } from "./run-training";

const config = paperRunConfig("/data", { batchSize: 16 });

describe("explainWasmOutOfMemory", () => {
  it("turns wasm's bare heap failures into a message that says what to change", () => {
    for (const raw of [
      "RuntimeError: memory access out of bounds",
      "Aborted(). Build with -sASSERTIONS for more info.",
    ]) {
      const out = explainWasmOutOfMemory(new Error(raw), "wasm", config, "/runs/x");
      expect(out).toBeInstanceOf(CliError);
      expect((out as CliError).message).toMatch(
        /wasm backend ran out of its 4 GiB heap training resnext50_32x4d at 178x218, batch 16 .*lower --batch-size, use --backend cpu/,
      );
    }
  });

  it("leaves other errors, and other backends' errors, as they are", () => {
    const other = new Error("something else");
    expect(explainWasmOutOfMemory(other, "wasm", config, "/runs/x")).toBe(other);
    const oob = new Error("memory access out of bounds");
    expect(explainWasmOutOfMemory(oob, "cpu", config, "/runs/x")).toBe(oob);
  });
});
