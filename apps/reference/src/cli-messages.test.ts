import { BadImageError, MissingImagesError } from "@celeba/data";
import { StateDictMismatchError } from "@celeba/resnext";
import { CheckpointError } from "@celeba/train";
import { describe, expect, it } from "vitest";
import { cliMessage, describeSystemError, isExplainedError } from "./cli-messages";
import { CliError } from "./errors";

const LIBRARY_ONLY =
  /onBadImage|onMissingImage|strict: false|raw: true|resume\(|`images`|`partition`/;

describe("cliMessage", () => {
  it("names the CLI's flags where the libraries name their options", () => {
    const errors = [
      new MissingImagesError({
        count: 3,
        examples: ["000007.jpg"],
        source: "/d/img_align_celeba",
        annotation: "list_attr_celeba.txt",
      }),
      new BadImageError({
        id: "000001.jpg",
        source: "/d/img_align_celeba/000001.jpg",
        cause: new Error("truncated"),
      }),
      new StateDictMismatchError({
        arch: "resnet18",
        missing: ["fc.bias"],
        unexpected: [],
        shapeMismatches: [],
      }),
      new CheckpointError({
        path: "/runs/x",
        message:
          "already holds a run (run.json exists). Call resume(runDir, ...) to continue it, or pick an empty runDir.",
      }),
    ];
    for (const error of errors) {
      expect(error.message).toMatch(LIBRARY_ONLY); // library callers keep their options named
      const text = cliMessage(error.message);
      expect(text, error.name).not.toMatch(LIBRARY_ONLY);
    }
    expect(cliMessage(errors[0]!.message)).toContain("--skip-bad-images");
    expect(cliMessage(errors[1]!.message)).toContain("--skip-bad-images");
    expect(cliMessage(errors[2]!.message)).toContain("--arch");
    expect(cliMessage(errors[3]!.message)).toContain('"reference train --resume"');
  });
});

describe("isExplainedError", () => {
  it("keeps the --verbose hint for a wasm trap, and for plain errors", () => {
    const trap = new Error("memory access out of bounds");
    trap.name = "RuntimeError"; // what WebAssembly.RuntimeError reports
    expect(isExplainedError(trap)).toBe(false);
    expect(isExplainedError(new TypeError("x"))).toBe(false);
    expect(isExplainedError(new Error("x"))).toBe(false);
    expect(isExplainedError(new CliError("x"))).toBe(true);
    expect(
      isExplainedError(
        new StateDictMismatchError({
          arch: "resnet18",
          missing: ["a"],
          unexpected: [],
          shapeMismatches: [],
        }),
      ),
    ).toBe(true);
  });

  it("recognises a real WebAssembly trap as unexplained", () => {
    // An unreachable instruction: the smallest module that traps.
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1,
      3, 0, 0, 11,
    ]);
    // This package's TypeScript libs leave out the WebAssembly globals; Node has them.
    const wasm = (
      globalThis as unknown as {
        WebAssembly: {
          Module: new (b: Uint8Array) => object;
          Instance: new (m: object) => { exports: Record<string, unknown> };
        };
      }
    ).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(bytes));
    let trap: unknown;
    try {
      (instance.exports.f as () => void)();
    } catch (e) {
      trap = e;
    }
    expect((trap as Error).name).toBe("RuntimeError");
    expect(isExplainedError(trap)).toBe(false);
  });
});

describe("describeSystemError", () => {
  it("turns a raw system error on a path into a sentence, and leaves others alone", async () => {
    const { mkdir } = await import("node:fs/promises");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "celeba-sys-")), "a-file");
    writeFileSync(file, "x");
    const error = await mkdir(join(file, "run")).catch((e) => e);
    expect(error.code).toBe("ENOTDIR");
    expect(describeSystemError(error)).toBe(
      `${join(file, "run")}: a part of the path is a file, not a folder (mkdir failed with ENOTDIR). Fix that, or pick another path.`,
    );
    expect(describeSystemError(new Error("plain"))).toBeUndefined();
  });
});
