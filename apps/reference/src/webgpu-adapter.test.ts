import { describe, expect, it } from "vitest";
import { describeAdapter, summarizeAdapter } from "./webgpu-adapter";

const info = (o: Partial<Record<string, unknown>>) => ({
  info: { vendor: "", architecture: "", device: "", description: "", ...o },
});

describe("summarizeAdapter", () => {
  it("calls SwiftShader, lavapipe and any fallback adapter software, and a GPU hardware", () => {
    // The strings Dawn reports for each (SwiftShader's as seen on this project's CI machine).
    const swiftshader = info({
      vendor: "google",
      architecture: "swiftshader",
      device: "swiftshader-device-subzero-",
      description: "SwiftShader driver 5.0.0",
      isFallbackAdapter: true,
    });
    expect(summarizeAdapter(swiftshader).software).toBe(true);
    expect(
      summarizeAdapter(info({ vendor: "mesa", description: "llvmpipe (LLVM 15.0.6, 256 bits)" }))
        .software,
    ).toBe(true);
    expect(summarizeAdapter(info({ vendor: "mesa", device: "lavapipe" })).software).toBe(true);
    expect(summarizeAdapter(info({ vendor: "someone", isFallbackAdapter: true })).software).toBe(
      true,
    );
    const nvidia = info({
      vendor: "nvidia",
      architecture: "ampere",
      description: "NVIDIA GeForce RTX 3090",
    });
    expect(summarizeAdapter(nvidia).software).toBe(false);
    expect(describeAdapter(summarizeAdapter(nvidia))).toBe(
      "nvidia ampere (NVIDIA GeForce RTX 3090), hardware",
    );
    expect(describeAdapter(summarizeAdapter(swiftshader))).toBe(
      "google swiftshader (SwiftShader driver 5.0.0), a software adapter (CPU)",
    );
  });
});
